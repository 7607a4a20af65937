import { z } from 'zod';
import type { Subscriber, SubscriberAddress, SubscriberContact, SubscriberDocument } from '../../platform/db/schema.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';

export const subscriberStatuses = ['lead', 'active', 'suspended', 'disconnected', 'archived'] as const;
export const subscriberStatusSchema = z.enum(subscriberStatuses).meta({ id: 'SubscriberStatus' });
export const contactKinds = ['phone', 'email', 'whatsapp'] as const;
export const documentKinds = ['national_id', 'passport', 'business_registration', 'other'] as const;

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).transform((v) => v || null).nullable();
const decimal = (limit: number) =>
  z
    .union([z.string().trim(), z.number()])
    .transform((v) => String(v))
    .refine((v) => /^-?\d{1,3}(\.\d{1,6})?$/.test(v) && Math.abs(Number(v)) <= limit, { message: `must be a number between -${limit} and ${limit} with up to 6 decimals` });

export const tagsSchema = z.array(z.string().trim().toLowerCase().min(1).max(40).regex(/^[^\s,;]+$/, 'has no spaces, commas or semicolons')).max(20);
export const customFieldsSchema = z
  .record(z.string().min(1).max(60), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((r) => Object.keys(r).length <= 50, { message: 'has at most 50 fields' })
  .describe('Free fields the ISP records (router serial, referral, …)');

export const contactSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(contactKinds),
    value: z.string().describe('Phones in E.164 (+254712345678), e-mail addresses in lower case'),
    label: z.string().nullable(),
    primary: z.boolean(),
  })
  .meta({ id: 'SubscriberContact' });

export const contactInputSchema = z
  .object({
    id: z.uuid().optional().describe('Keeps an existing contact; omit for a new one'),
    kind: z.enum(contactKinds),
    value: text(254).describe('A phone in any usual form (0712 345 678, +254712345678) or an e-mail address'),
    label: optionalText(60).optional(),
    primary: z.boolean().default(false),
  })
  .meta({ id: 'EditSubscriberContact' });

export const addressSchema = z
  .object({
    id: z.uuid(),
    label: z.string().nullable(),
    line1: z.string(),
    line2: z.string().nullable(),
    city: z.string().nullable(),
    region: z.string().nullable(),
    country: z.string().nullable(),
    latitude: z.string().nullable().describe('Decimal degrees, exact text'),
    longitude: z.string().nullable(),
    installation: z.boolean().describe('Where the service is installed'),
  })
  .meta({ id: 'SubscriberAddress' });

export const addressInputSchema = z
  .object({
    id: z.uuid().optional().describe('Keeps an existing address; omit for a new one'),
    label: optionalText(60).optional(),
    line1: text(200),
    line2: optionalText(200).optional(),
    city: optionalText(100).optional(),
    region: optionalText(100).optional(),
    country: z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'is an ISO 3166 two-letter code').nullable().optional(),
    latitude: decimal(90).nullable().optional(),
    longitude: decimal(180).nullable().optional(),
    installation: z.boolean().default(false),
  })
  .refine((a) => (a.latitude == null) === (a.longitude == null), { message: 'give both latitude and longitude, or neither', path: ['latitude'] })
  .meta({ id: 'EditSubscriberAddress' });

export const subscriberSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    accountNumber: z.string(),
    kind: z.enum(['person', 'company']),
    name: z.string().describe('The person, or the contact person of a company'),
    companyName: z.string().nullable(),
    nationalId: z.string().nullable(),
    status: subscriberStatusSchema,
    assignedUserId: z.uuid().nullable().describe('The staff member who looks after this subscriber'),
    tags: z.array(z.string()),
    customFields: z.record(z.string(), z.unknown()),
    suspendOn: z.iso.date().nullable().describe('A scheduled suspension: the day it takes effect'),
    suspendReason: z.string().nullable(),
    phone: z.string().nullable().describe('The primary phone'),
    email: z.string().nullable().describe('The primary e-mail address'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Subscriber' });

export const subscriberDetailSchema = subscriberSchema
  .extend({ contacts: z.array(contactSchema), addresses: z.array(addressSchema) })
  .meta({ id: 'SubscriberDetail' });

const subscriberFields = {
  kind: z.enum(['person', 'company']),
  name: text(200),
  companyName: optionalText(200),
  nationalId: optionalText(60),
  assignedUserId: z.uuid().nullable(),
  tags: tagsSchema,
  customFields: customFieldsSchema,
  contacts: z.array(contactInputSchema).max(20),
  addresses: z.array(addressInputSchema).max(10),
};

export const createSubscriberSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to the organization you are working in'),
    status: z.enum(['lead', 'active']).default('lead'),
    ...subscriberFields,
    kind: subscriberFields.kind.default('person'),
    companyName: subscriberFields.companyName.optional(),
    nationalId: subscriberFields.nationalId.optional(),
    assignedUserId: subscriberFields.assignedUserId.optional(),
    tags: tagsSchema.default([]),
    customFields: customFieldsSchema.default({}),
    contacts: subscriberFields.contacts.default([]),
    addresses: subscriberFields.addresses.default([]),
  })
  .meta({ id: 'CreateSubscriber' });

export const updateSubscriberSchema = z
  .object(subscriberFields)
  .partial()
  .describe('Contacts and addresses, when given, replace the whole set (items with an id are kept and updated)')
  .meta({ id: 'UpdateSubscriber' });

export const changeStatusSchema = z
  .object({ status: subscriberStatusSchema, reason: z.string().trim().max(500).default('') })
  .meta({ id: 'ChangeSubscriberStatus' });

export const statusChangeSchema = z
  .object({
    id: z.string(),
    from: subscriberStatusSchema.nullable(),
    to: subscriberStatusSchema,
    reason: z.string(),
    at: z.iso.datetime(),
    by: z.object({ id: z.uuid(), name: z.string() }).nullable().describe('Null when the system made the change'),
  })
  .meta({ id: 'SubscriberStatusChange' });

export const noteSchema = z
  .object({ id: z.uuid(), body: z.string(), author: z.object({ id: z.uuid(), name: z.string() }).nullable(), createdAt: z.iso.datetime() })
  .meta({ id: 'SubscriberNote' });
export const createNoteSchema = z.object({ body: text(5000) }).meta({ id: 'CreateSubscriberNote' });

export const documentSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(documentKinds),
    filename: z.string(),
    mimeType: z.string(),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    uploadedBy: z.uuid().nullable(),
    uploadedAt: z.iso.datetime(),
  })
  .meta({ id: 'SubscriberDocument' });

export const subscriberFilters = {
  status: subscriberStatusSchema.optional(),
  tag: z.string().trim().toLowerCase().max(40).optional(),
  organizationId: z.uuid().optional(),
  assignedUserId: z.uuid().optional(),
};
export const subscriberListQuery = listQuerySchema.extend({
  q: z.string().trim().max(200).optional().describe('Name, company, phone in any form, e-mail, account number or national id; several words must all match; a whole account number answers that account alone. Results come newest first unless sort is given'),
  ...subscriberFilters,
});
export const subscriberPage = pageSchema(subscriberSchema, 'SubscriberPage');
export const documentParams = z.object({ id: z.uuid(), documentId: z.uuid() });

export const numberingSchema = z
  .object({
    organizationId: z.uuid(),
    format: z.string().describe('Text around one {seq} or {seq:N} (N digits, zero-padded), e.g. KIL-{seq:6}'),
    lastNumber: z.string().describe('The last number handed out; the next subscriber gets the one after'),
    example: z.string().describe('The next account number'),
  })
  .meta({ id: 'SubscriberNumbering' });
export const updateNumberingSchema = z
  .object({
    organizationId: z.uuid(),
    format: z.string().trim().regex(/^[A-Za-z0-9/._-]{0,12}\{seq(:[1-9][0-9]?)?\}[A-Za-z0-9/._-]{0,12}$/, 'is text around one {seq} or {seq:N}, e.g. KIL-{seq:6}'),
  })
  .meta({ id: 'UpdateSubscriberNumbering' });

export type CreateSubscriberInput = z.infer<typeof createSubscriberSchema>;
export type UpdateSubscriberInput = z.infer<typeof updateSubscriberSchema>;
export type ContactInput = z.infer<typeof contactInputSchema>;
export type AddressInput = z.infer<typeof addressInputSchema>;
export type SubscriberListQuery = z.infer<typeof subscriberListQuery>;
export type SubscriberFilters = Omit<SubscriberListQuery, 'limit' | 'cursor' | 'sort'>;

export type SubscriberRow = Subscriber & { phone: string | null; email: string | null };

export function mapSubscriber(s: SubscriberRow): z.infer<typeof subscriberSchema> {
  return {
    id: s.id,
    organizationId: s.organization_id,
    accountNumber: s.account_number,
    kind: s.kind,
    name: s.name,
    companyName: s.company_name,
    nationalId: s.national_id,
    status: s.status,
    assignedUserId: s.assigned_user_id,
    tags: s.tags,
    customFields: s.custom_fields,
    suspendOn: s.suspend_on,
    suspendReason: s.suspend_reason,
    phone: s.phone,
    email: s.email,
    createdAt: s.created_at.toISOString(),
    updatedAt: s.updated_at.toISOString(),
  };
}

export function mapContact(c: SubscriberContact): z.infer<typeof contactSchema> {
  return { id: c.id, kind: c.kind, value: c.value, label: c.label, primary: c.is_primary };
}

export function mapAddress(a: SubscriberAddress): z.infer<typeof addressSchema> {
  return {
    id: a.id,
    label: a.label,
    line1: a.line1,
    line2: a.line2,
    city: a.city,
    region: a.region,
    country: a.country,
    latitude: a.latitude,
    longitude: a.longitude,
    installation: a.is_installation,
  };
}

export function mapDocument(d: SubscriberDocument): z.infer<typeof documentSchema> {
  return {
    id: d.id,
    kind: d.kind,
    filename: d.filename,
    mimeType: d.mime_type,
    sizeBytes: Number(d.size_bytes),
    sha256: d.sha256,
    uploadedBy: d.uploaded_by,
    uploadedAt: d.uploaded_at.toISOString(),
  };
}
