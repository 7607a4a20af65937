import { z } from 'zod';
import { isCurrencyCode } from '../../core/organizations.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';

export const currencySchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isCurrencyCode, 'must be an ISO 4217 currency code such as KES, BDT or USD');
/** Prices and quantities travel as decimal strings in major units; src/core/rating.ts parses and checks them. */
const decimal = z.string().trim().max(40).describe('Decimal in major units of the currency, e.g. "2500" or "0.4375"');
const unit = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_]{0,19}$/, 'must be a unit name such as GB or minutes');
const code = z.string().trim().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'must be 1-40 letters, digits, dots, dashes or underscores');
const routerName = z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be a router name: letters, digits and _ . : -');
const tier = z.object({ upTo: decimal.nullable().describe('Last quantity of the tier; null for the open-ended last tier'), price: decimal });

export const serviceTypes = ['pppoe', 'hotspot', 'static_ip', 'bulk_bandwidth', 'cable_tv', 'other'] as const;
export const planKinds = ['plan', 'addon', 'bundle', 'one_off'] as const;
export const billingModels = ['prepaid', 'postpaid', 'usage'] as const;
export const cycles = ['monthly', 'quarterly', 'yearly', 'daily', 'validity', 'one_time'] as const;

/** Exactly the components src/core/rating.ts rates. */
const rateComponentSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('fixed'), price: decimal }),
    z.object({ kind: z.literal('per-day'), price: decimal }),
    z.object({ kind: z.literal('per-unit'), unit, price: decimal, included: decimal.optional().describe('Units included before the price applies') }),
    z.object({ kind: z.literal('graduated'), unit, tiers: z.array(tier).min(1).max(20) }),
    z.object({ kind: z.literal('volume'), unit, tiers: z.array(tier).min(1).max(20) }),
    z.object({ kind: z.literal('minimum'), amount: decimal }),
  ])
  .meta({ id: 'RateComponent' });

export const priceSchema = z
  .object({ currency: currencySchema, components: z.array(rateComponentSchema).min(1).max(20) })
  .meta({ id: 'PlanPrice' });

const billingSchema = z
  .object({
    cycle: z.enum(cycles).describe('validity: prepaid for a number of hours or days from purchase; one_time: a one-off charge'),
    alignment: z.enum(['anniversary', 'calendar']).nullable().describe('Monthly, quarterly and yearly cycles: from the start date, or from the 1st'),
    validityUnit: z.enum(['hours', 'days']).nullable(),
    validityLength: z.number().int().min(1).max(100_000).nullable(),
    timing: z.enum(['in_advance', 'in_arrears']).describe('Charged at the start of the period, or at its end'),
    graceDays: z.number().int().min(0).max(365).describe('Days after expiry or the due date before the service is suspended'),
  })
  .meta({ id: 'PlanBilling' });

const directionSchema = z.object({
  rateKbps: z.number().int().min(1).max(100_000_000),
  burst: z
    .object({
      rateKbps: z.number().int().min(1).max(100_000_000).describe('Must exceed the rate'),
      thresholdKbps: z.number().int().min(1).max(100_000_000).describe('At most the rate'),
      seconds: z.number().int().min(1).max(3600),
    })
    .nullable(),
});

const networkSchema = z
  .object({
    download: directionSchema.nullable().describe('null: not limited'),
    upload: directionSchema.nullable(),
    dataQuotaBytes: z.string().regex(/^[1-9]\d{0,17}$/, 'must be a whole number of bytes').nullable(),
    timeQuotaSeconds: z.number().int().min(1).max(2_000_000_000).nullable(),
    throttle: z
      .object({ downloadKbps: z.number().int().min(1).max(100_000_000), uploadKbps: z.number().int().min(1).max(100_000_000) })
      .nullable()
      .describe('Fair-usage speed once a quota is used up'),
    ipPool: routerName.nullable(),
    addressList: routerName.nullable(),
  })
  .meta({ id: 'NetworkProfile' });

const planVersionSchema = z
  .object({
    id: z.uuid(),
    planId: z.uuid(),
    version: z.number().int(),
    validFrom: z.iso.datetime(),
    billing: billingSchema,
    prices: z.array(priceSchema),
    taxClassId: z.uuid().nullable(),
    network: networkSchema,
    createdAt: z.iso.datetime(),
    createdBy: z.uuid().nullable(),
  })
  .meta({ id: 'PlanVersion' });

export const planSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    organizationName: z.string(),
    code: z.string(),
    name: z.string(),
    description: z.string(),
    serviceType: z.enum(serviceTypes),
    kind: z.enum(planKinds),
    billingModel: z.enum(billingModels),
    status: z.enum(['active', 'archived']),
    sharedWithSubtree: z.boolean().describe('A master package: organizations below may read and sell it'),
    readOnly: z.boolean().describe('True for a master package of an organization above the one you work in'),
    bundleItems: z.array(z.object({ planId: z.uuid(), code: z.string(), name: z.string(), quantity: z.number().int() })),
    currentVersion: planVersionSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Plan' });

const bundleItemsInput = z
  .array(z.object({ planId: z.uuid(), quantity: z.number().int().min(1).max(1000).default(1) }))
  .max(50)
  .describe('Bundles only: the plans the bundle includes');

const billingInput = billingSchema.partial({ alignment: true, validityUnit: true, validityLength: true, timing: true, graceDays: true });
const networkInput = networkSchema.partial();

export const planVersionInput = z
  .object({
    validFrom: z.iso.datetime({ offset: true }).optional().describe('When these prices take effect; defaults to now'),
    billing: billingInput,
    prices: z.array(priceSchema).min(1).max(10),
    taxClassId: z.uuid().nullable().optional(),
    network: networkInput.optional(),
  })
  .meta({ id: 'NewPlanVersion' });

export const createPlanSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to the organization you are working in'),
    code,
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2000).optional(),
    serviceType: z.enum(serviceTypes),
    kind: z.enum(planKinds).default('plan'),
    billingModel: z.enum(billingModels),
    sharedWithSubtree: z.boolean().default(false),
    bundleItems: bundleItemsInput.optional(),
    version: planVersionInput,
  })
  .meta({ id: 'CreatePlan' });

export const updatePlanSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2000),
    status: z.enum(['active', 'archived']).describe('archived: no longer sold; existing subscriptions keep it'),
    sharedWithSubtree: z.boolean(),
    bundleItems: bundleItemsInput,
  })
  .partial()
  .meta({ id: 'UpdatePlan' });

export const planListQuery = listQuerySchema.extend({
  serviceType: z.enum(serviceTypes).optional(),
  kind: z.enum(planKinds).optional(),
  billingModel: z.enum(billingModels).optional(),
  status: z.enum(['active', 'archived']).optional(),
  organizationId: z.uuid().optional().describe('Only plans of this organization'),
});

export const planPage = pageSchema(planSchema, 'PlanPage');
export const planVersionList = z.object({ items: z.array(planVersionSchema) }).meta({ id: 'PlanVersionList' });

export type RateComponentInput = z.infer<typeof rateComponentSchema>;
export type Billing = z.infer<typeof billingSchema>;
export type Network = z.infer<typeof networkSchema>;
export type PlanVersionInput = z.infer<typeof planVersionInput>;
export type PlanVersionOutput = z.infer<typeof planVersionSchema>;
export type CreatePlanInput = z.infer<typeof createPlanSchema>;
export type UpdatePlanInput = z.infer<typeof updatePlanSchema>;
export type PlanListQuery = z.infer<typeof planListQuery>;
export type PlanOutput = z.infer<typeof planSchema>;
