import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { localeSchema } from '../organizations/organizations.schemas.ts';

/** System settings (the developer panel): typed, with defaults; stored one row per key. */
const settingFields = {
  platformName: z.string().trim().min(1).max(100),
  defaultLocale: localeSchema,
  passwordMinLength: z.number().int().min(8).max(128),
  loginMaxFailures: z.number().int().min(3).max(50),
  lockoutMinutes: z.number().int().min(1).max(1440),
};
export const systemSettingsSchema = z
  .object({
    platformName: settingFields.platformName.default('Uplink'),
    defaultLocale: settingFields.defaultLocale.default('en'),
    passwordMinLength: settingFields.passwordMinLength.default(10),
    loginMaxFailures: settingFields.loginMaxFailures.default(5),
    lockoutMinutes: settingFields.lockoutMinutes.default(15),
  })
  .meta({ id: 'SystemSettings' });
export type SystemSettings = z.infer<typeof systemSettingsSchema>;

// No defaults here: a setting left out of an update keeps its value.
export const updateSettingsSchema = z.object(settingFields).partial().meta({ id: 'UpdateSystemSettings' });

export async function readSettings(db: Kysely<DB>): Promise<SystemSettings> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).execute();
  const raw = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  // Unknown or invalid stored values fall back to defaults rather than breaking sign-in.
  const shape = systemSettingsSchema.shape;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    const parsed = shape[key].safeParse(raw[key]);
    out[key] = parsed.success ? parsed.data : shape[key].parse(undefined);
  }
  return out as SystemSettings;
}

export async function getSettings(deps: Pick<AppContext, 'db'>, actor: Actor): Promise<SystemSettings> {
  requirePermission(actor, 'settings.read');
  return readSettings(deps.db);
}

export async function updateSettings(
  deps: Pick<AppContext, 'db' | 'clock'>,
  actor: Actor,
  input: z.infer<typeof updateSettingsSchema>,
): Promise<SystemSettings> {
  requirePermission(actor, 'settings.update');
  return deps.db.transaction().execute(async (trx) => {
    const before = await readSettings(trx);
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined) continue;
      await trx
        .insertInto('settings')
        .values({ key, value: JSON.stringify(value), updated_at: deps.clock.now(), updated_by: actor.principal.userId })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: deps.clock.now(), updated_by: actor.principal.userId }),
        )
        .execute();
    }
    const after = await readSettings(trx);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'settings.update',
      organizationId: actor.principal.home.orgId,
      organizationPath: actor.principal.home.orgPath,
      objectType: 'settings',
      objectId: 'system',
      before,
      after,
    });
    return after;
  });
}
