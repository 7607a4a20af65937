import { z } from 'zod';

const routerName = z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be a router name: 1-64 letters, digits or _ . : -');

export const aaaSettingsSchema = z
  .object({
    organizationId: z.uuid(),
    inheritedFrom: z.uuid().nullable().describe('The organization whose settings apply (this one, one above it), or null for the defaults'),
    blockedAction: z.enum(['reject', 'captive']).describe('What a suspended or expired subscriber gets: Access-Reject, or the walled garden'),
    blockedPool: z.string().nullable().describe('Address pool of the walled garden (Framed-Pool)'),
    blockedAddressList: z.string().nullable().describe('MikroTik address list of the walled garden'),
    captiveMessage: z.string().describe('Reply-Message telling the subscriber how to pay'),
    interimIntervalSeconds: z.number().int().describe('Acct-Interim-Interval sent to the NAS'),
  })
  .meta({ id: 'AaaSettings' });

export const updateAaaSettingsSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to the organization you act in'),
    blockedAction: z.enum(['reject', 'captive']),
    blockedPool: routerName.nullable().default(null),
    blockedAddressList: routerName.nullable().default(null),
    captiveMessage: z.string().trim().max(250).default(''),
    interimIntervalSeconds: z.number().int().min(60).max(86_400).default(300),
  })
  .refine((s) => s.blockedAction !== 'captive' || s.blockedPool !== null || s.blockedAddressList !== null, {
    message: 'a walled garden needs a pool or an address list',
    path: ['blockedPool'],
  })
  .meta({ id: 'UpdateAaaSettings' });
export type UpdateAaaSettingsInput = z.infer<typeof updateAaaSettingsSchema>;

export const aaaSettingsQuery = z.object({ organizationId: z.uuid().optional().describe('Defaults to the organization you act in') });

export const planAaaSettingsSchema = z
  .object({
    planId: z.uuid(),
    blockedAction: z.enum(['reject', 'captive']).nullable().describe("null: the organization's choice"),
    blockedPool: z.string().nullable(),
    blockedAddressList: z.string().nullable(),
    captiveMessage: z.string().nullable(),
  })
  .meta({ id: 'PlanAaaSettings' });

export const updatePlanAaaSettingsSchema = z
  .object({
    blockedAction: z.enum(['reject', 'captive']).nullable(),
    blockedPool: routerName.nullable().default(null),
    blockedAddressList: routerName.nullable().default(null),
    captiveMessage: z.string().trim().max(250).nullable().default(null),
  })
  .meta({ id: 'UpdatePlanAaaSettings' });
export type UpdatePlanAaaSettingsInput = z.infer<typeof updatePlanAaaSettingsSchema>;
