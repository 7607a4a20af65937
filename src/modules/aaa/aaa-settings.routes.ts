import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams } from '../../platform/http/routes.ts';
import { aaaSettingsQuery, aaaSettingsSchema, planAaaSettingsSchema, updateAaaSettingsSchema, updatePlanAaaSettingsSchema } from './aaa-settings.schemas.ts';
import * as service from './aaa-settings.service.ts';

const tags = ['Sessions'];

export function aaaSettingsRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/aaa/settings',
    {
      schema: { tags, summary: "What RADIUS gives a suspended or expired subscriber in an organization (its own settings or the nearest above)", querystring: aaaSettingsQuery, response: { 200: aaaSettingsSchema, ...errors } },
      config: { permission: 'sessions.read' },
    },
    (req) => service.getAaaSettings(ctx, actorOf(req), req.query.organizationId),
  );
  app.put(
    '/api/aaa/settings',
    {
      schema: { tags, summary: 'Set an organization’s refusal policy (reject, or a walled garden with a message) and interim interval; its subtree inherits them', body: updateAaaSettingsSchema, response: { 200: aaaSettingsSchema, ...errors } },
      config: { permission: 'sessions.update' },
    },
    (req) => service.updateAaaSettings(ctx, actorOf(req), req.body),
  );
  app.get(
    '/api/plans/:id/aaa-settings',
    {
      schema: { tags, summary: "A plan's override of the refusal policy", params: idParams, response: { 200: planAaaSettingsSchema, ...errors } },
      config: { permission: 'sessions.read' },
    },
    (req) => service.getPlanAaaSettings(ctx, actorOf(req), req.params.id),
  );
  app.put(
    '/api/plans/:id/aaa-settings',
    {
      schema: { tags, summary: "Set a plan's override of the refusal policy (null fields follow the organization)", params: idParams, body: updatePlanAaaSettingsSchema, response: { 200: planAaaSettingsSchema, ...errors } },
      config: { permission: 'sessions.update' },
    },
    (req) => service.updatePlanAaaSettings(ctx, actorOf(req), req.params.id, req.body),
  );
}
