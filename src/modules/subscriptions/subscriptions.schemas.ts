import { z } from 'zod';
import { statusReasons } from '../../core/subscription-lifecycle.ts';
import type { Subscription, SubscriptionEvent } from '../../platform/db/schema.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';
import { currencySchema } from '../catalog/plans.schemas.ts';
import { normaliseIpv4Host, normaliseIpv6Prefix, normaliseMac, passwordPattern, usernamePattern } from './network.ts';

const subscriptionStatuses = ['pending', 'active', 'grace', 'suspended', 'terminated'] as const;
const subscriptionStatusSchema = z.enum(subscriptionStatuses).meta({ id: 'SubscriptionStatus' });
export const statusReasonSchema = z
  .enum(statusReasons)
  .describe('unpaid: unlocked by itself once every bill is paid; expired: a prepaid plan not renewed; vacation: a hold with a resume date')
  .meta({ id: 'SubscriptionStatusReason' });

/** A normalising text field: the value as stored, or an issue naming what it must be. */
const normalised = (normalise: (text: string) => string | null, message: string) =>
  z
    .string()
    .max(100)
    .transform((value, ctx) => {
      const out = normalise(value);
      if (out === null) ctx.addIssue({ code: 'custom', message });
      return out ?? '';
    });

const networkFields = {
  username: z.string().trim().regex(usernamePattern, 'must be 1-64 letters, digits or @ . _ : + -').describe('PPPoE or hotspot login; unique among subscriptions not terminated (any case)'),
  password: z.string().regex(passwordPattern, 'must be 6-64 printable characters without spaces').describe('Stored encrypted; generated when a username is given without one'),
  macAddress: normalised(normaliseMac, 'must be a device MAC address such as AA:BB:CC:DD:EE:FF')
    .nullable()
    .describe('Binds the line to one device; any usual form (aa-bb-…, aabb.ccdd.eeff), stored as AA:BB:CC:DD:EE:FF'),
  staticIpv4: normalised(normaliseIpv4Host, 'must be one IPv4 host address such as 203.0.113.10 (or /32)').nullable().describe('A fixed address for the line; unique among subscriptions not terminated'),
  staticIpv6Prefix: normalised(normaliseIpv6Prefix, 'must be an IPv6 prefix such as 2001:db8:100::/56 with no bits set beyond its length').nullable().describe('A delegated prefix'),
  simultaneousUse: z.number().int().min(1).max(100).describe('How many sessions the login may hold at once'),
  installationAddressId: z.uuid().nullable().describe('One of the subscriber’s own addresses'),
  autoRenew: z.boolean().describe('Prepaid: renew from the wallet at the end of each period'),
};

export const createSubscriptionSchema = z
  .object({
    subscriberId: z.uuid(),
    planId: z.uuid(),
    currency: currencySchema.optional().describe('Defaults to the subscriber’s organization currency; the plan must have a price in it'),
    quantity: z.number().int().min(1).max(10_000).default(1),
    discountId: z.uuid().optional().describe('A discount of your organization tree (or give couponCode)'),
    couponCode: z.string().trim().min(1).max(40).optional(),
    startsAt: z.iso.datetime({ offset: true }).optional().describe('Defaults to now (activated at once); a later instant schedules the activation'),
    ...networkFields,
    username: networkFields.username.optional(),
    password: networkFields.password.optional(),
    macAddress: networkFields.macAddress.optional(),
    staticIpv4: networkFields.staticIpv4.optional(),
    staticIpv6Prefix: networkFields.staticIpv6Prefix.optional(),
    simultaneousUse: networkFields.simultaneousUse.default(1),
    installationAddressId: networkFields.installationAddressId.optional(),
    autoRenew: networkFields.autoRenew.default(true),
  })
  .refine((s) => !(s.discountId && s.couponCode), { message: 'give a discount or a coupon code, not both', path: ['couponCode'] })
  .meta({ id: 'CreateSubscription' });

export const updateSubscriptionSchema = z
  .object({ ...networkFields, username: networkFields.username.nullable().describe('null removes the login and its password') })
  .partial()
  .meta({ id: 'UpdateSubscription' });

const instant = z.iso.datetime();

export const subscriptionSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    subscriberId: z.uuid(),
    subscriber: z.object({ accountNumber: z.string(), name: z.string() }),
    planId: z.uuid(),
    plan: z.object({ code: z.string(), name: z.string(), serviceType: z.string(), billingModel: z.string() }),
    currency: z.string(),
    status: subscriptionStatusSchema,
    statusReason: z.string().describe('Why it has its status: unpaid, expired, request, vacation… (empty when active)'),
    quantity: z.number().int(),
    discountId: z.uuid().nullable(),
    autoRenew: z.boolean(),
    startsAt: instant,
    activatedAt: instant.nullable(),
    billedThrough: instant.nullable().describe('End of the last period invoiced'),
    nextBillAt: instant.nullable().describe('When the billing run next bills it'),
    graceUntil: instant.nullable().describe('In grace: when it is suspended unless paid'),
    suspendAt: instant.nullable().describe('A scheduled suspension'),
    resumeAt: instant.nullable().describe('A scheduled resumption'),
    terminateAt: instant.nullable().describe('A scheduled termination'),
    terminatedAt: instant.nullable(),
    pendingPlanId: z.uuid().nullable().describe('The plan it moves to at the start of the next period'),
    username: z.string().nullable(),
    macAddress: z.string().nullable(),
    staticIpv4: z.string().nullable(),
    staticIpv6Prefix: z.string().nullable(),
    simultaneousUse: z.number().int(),
    installationAddressId: z.uuid().nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Subscription' });

export const createdSubscriptionSchema = subscriptionSchema
  .extend({ password: z.string().nullable().describe('The clear password, shown this once (later only through the audited reveal)') })
  .meta({ id: 'CreatedSubscription' });

export const credentialsSchema = z.object({ username: z.string(), password: z.string() }).meta({ id: 'SubscriptionCredentials' });
export const revealCredentialsSchema = z.object({ reason: z.string().trim().max(500).default('').describe('Why the password is read, for the audit log') }).meta({ id: 'RevealSubscriptionCredentials' });

const subscriptionFilters = {
  status: subscriptionStatusSchema.optional(),
  planId: z.uuid().optional(),
  subscriberId: z.uuid().optional(),
  organizationId: z.uuid().optional(),
};
export const subscriptionListQuery = listQuerySchema.extend({
  q: z.string().trim().max(200).optional().describe('A username, MAC address (any form) or static IP, whole or in part'),
  ...subscriptionFilters,
});
export const subscriberSubscriptionsQuery = listQuerySchema.omit({ q: true }).extend({ status: subscriptionStatusSchema.optional() });
export const subscriptionPage = pageSchema(subscriptionSchema, 'SubscriptionPage');

export const eventSchema = z
  .object({
    id: z.string(),
    kind: z.string().describe('activated, suspended, resumed, grace, terminated, plan_changed, suspension_scheduled, schedule_cancelled…'),
    from: subscriptionStatusSchema.nullable(),
    to: subscriptionStatusSchema.nullable(),
    reason: z.string(),
    details: z.record(z.string(), z.unknown()),
    at: instant,
    by: z.object({ id: z.uuid(), name: z.string() }).nullable().describe('Null when the system made the change'),
  })
  .meta({ id: 'SubscriptionEvent' });

export type CreateSubscriptionInput = z.infer<typeof createSubscriptionSchema>;
export type UpdateSubscriptionInput = z.infer<typeof updateSubscriptionSchema>;
export type SubscriptionListQuery = z.infer<typeof subscriptionListQuery>;
export type SubscriptionFilters = Omit<SubscriptionListQuery, 'limit' | 'cursor' | 'sort'>;

export type SubscriptionRow = Subscription & {
  account_number: string;
  subscriber_name: string;
  plan_code: string;
  plan_name: string;
  service_type: string;
  billing_model: string;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function mapSubscription(s: SubscriptionRow): z.infer<typeof subscriptionSchema> {
  return {
    id: s.id,
    organizationId: s.organization_id,
    subscriberId: s.subscriber_id,
    subscriber: { accountNumber: s.account_number, name: s.subscriber_name },
    planId: s.plan_id,
    plan: { code: s.plan_code, name: s.plan_name, serviceType: s.service_type, billingModel: s.billing_model },
    currency: s.currency,
    status: s.status,
    statusReason: s.status_reason,
    quantity: s.quantity,
    discountId: s.discount_id,
    autoRenew: s.auto_renew,
    startsAt: new Date(s.starts_at).toISOString(),
    activatedAt: iso(s.activated_at),
    billedThrough: iso(s.billed_through),
    nextBillAt: iso(s.next_bill_at),
    graceUntil: iso(s.grace_until),
    suspendAt: iso(s.suspend_at),
    resumeAt: iso(s.resume_at),
    terminateAt: iso(s.terminate_at),
    terminatedAt: iso(s.terminated_at),
    pendingPlanId: s.pending_plan_id,
    username: s.username,
    macAddress: s.mac_address,
    staticIpv4: s.static_ipv4 && s.static_ipv4.replace(/\/32$/, ''),
    staticIpv6Prefix: s.static_ipv6_prefix,
    simultaneousUse: s.simultaneous_use,
    installationAddressId: s.installation_address_id,
    createdAt: s.created_at.toISOString(),
    updatedAt: s.updated_at.toISOString(),
  };
}

export type EventRow = SubscriptionEvent & { user_id: string | null; user_name: string | null };

export function mapEvent(e: EventRow): z.infer<typeof eventSchema> {
  return {
    id: e.id.toString(),
    kind: e.kind,
    from: e.from_status as z.infer<typeof subscriptionStatusSchema> | null,
    to: e.to_status as z.infer<typeof subscriptionStatusSchema> | null,
    reason: e.reason,
    details: e.details,
    at: e.at.toISOString(),
    by: e.user_id ? { id: e.user_id, name: e.user_name! } : null,
  };
}
