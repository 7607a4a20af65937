import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors } from '../../platform/http/routes.ts';
import { getSettings, systemSettingsSchema, updateSettings, updateSettingsSchema } from './settings.service.ts';

const tags = ['Settings'];

export function settingsRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/settings',
    { schema: { tags, summary: 'System settings', response: { 200: systemSettingsSchema, ...errors } }, config: { permission: 'settings.read' } },
    (req) => getSettings(ctx, actorOf(req)),
  );
  app.patch(
    '/api/settings',
    {
      schema: { tags, summary: 'Change system settings', body: updateSettingsSchema, response: { 200: systemSettingsSchema, ...errors } },
      config: { permission: 'settings.update' },
    },
    (req) => updateSettings(ctx, actorOf(req), req.body),
  );
}
