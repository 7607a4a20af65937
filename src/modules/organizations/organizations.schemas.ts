import { z } from 'zod';
import { isCurrencyCode, isTimeZone } from '../../core/organizations.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';
import type { Organization } from '../../platform/db/schema.ts';

export const locales = ['en', 'bn', 'sw', 'fr', 'ar'] as const;
export const localeSchema = z.enum(locales);

export const organizationKind = z.enum(['isp', 'reseller', 'sub_reseller', 'card_partner']);
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isCurrencyCode, 'must be an ISO 4217 currency code such as KES, BDT or USD');
const timezone = z.string().trim().refine(isTimeZone, 'must be an IANA time zone such as Africa/Nairobi');
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

export const organizationSchema = z
  .object({
    id: z.uuid(),
    parentId: z.uuid().nullable(),
    kind: organizationKind,
    name: z.string(),
    depth: z.number().int(),
    currency: z.string(),
    timezone: z.string(),
    locale: z.string(),
    status: z.enum(['active', 'disabled']),
    contactEmail: z.string().nullable(),
    contactPhone: z.string().nullable(),
    address: z.string().nullable(),
    taxId: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Organization' });

export const createOrganizationSchema = z
  .object({
    parentId: z.uuid().optional().describe('Defaults to the organization you are working in'),
    kind: organizationKind.exclude(['isp']),
    name: z.string().trim().min(1).max(200),
    currency: currency.optional().describe("Defaults to the parent's"),
    timezone: timezone.optional().describe("Defaults to the parent's"),
    locale: localeSchema.optional(),
    contactEmail: z.email().max(254).nullable().optional(),
    contactPhone: optionalText(40),
    address: optionalText(500),
    taxId: optionalText(60),
  })
  .meta({ id: 'CreateOrganization' });

export const updateOrganizationSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    currency,
    timezone,
    locale: localeSchema,
    status: z.enum(['active', 'disabled']),
    contactEmail: z.email().max(254).nullable(),
    contactPhone: optionalText(40),
    address: optionalText(500),
    taxId: optionalText(60),
  })
  .partial()
  .meta({ id: 'UpdateOrganization' });

export const organizationListQuery = listQuerySchema.extend({
  kind: organizationKind.optional(),
  status: z.enum(['active', 'disabled']).optional(),
  parentId: z.uuid().optional(),
});

export const organizationPage = pageSchema(organizationSchema, 'OrganizationPage');

export type CreateOrganizationInput = z.infer<typeof createOrganizationSchema>;
export type UpdateOrganizationInput = z.infer<typeof updateOrganizationSchema>;
export type OrganizationListQuery = z.infer<typeof organizationListQuery>;

export function mapOrganization(o: Organization): z.infer<typeof organizationSchema> {
  return {
    id: o.id,
    parentId: o.parent_id,
    kind: o.kind,
    name: o.name,
    depth: o.depth,
    currency: o.currency,
    timezone: o.timezone,
    locale: o.locale,
    status: o.status,
    contactEmail: o.contact_email,
    contactPhone: o.contact_phone,
    address: o.address,
    taxId: o.tax_id,
    createdAt: o.created_at.toISOString(),
    updatedAt: o.updated_at.toISOString(),
  };
}
