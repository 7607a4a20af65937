import { z } from 'zod';
import type { TaxRate } from '../../core/tax.ts';
import type { TaxClassRow } from '../../platform/db/schema.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';

const rateSchema = z.object({
  code: z.string().trim().regex(/^[A-Z][A-Z0-9_]{0,19}$/, 'must be a tax code in capitals such as VAT or EXCISE'),
  percent: z.string().trim().max(20).describe('Percentage as a decimal string: "16" for 16%'),
  compound: z.boolean().default(false).describe('Charged on the price plus the taxes listed before it'),
});

export const taxClassSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    code: z.string(),
    name: z.string(),
    inclusive: z.boolean().describe('Prices already contain the tax (extracted on the invoice); otherwise it is added on top'),
    rates: z.array(rateSchema.required()),
    readOnly: z.boolean().describe('True for a tax class of an organization above the one you work in'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'TaxClass' });

export const createTaxClassSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to the organization you are working in'),
    code: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'must be 1-40 letters, digits, dots, dashes or underscores'),
    name: z.string().trim().min(1).max(200),
    inclusive: z.boolean(),
    rates: z.array(rateSchema).min(1).max(10),
  })
  .meta({ id: 'CreateTaxClass' });

export const updateTaxClassSchema = createTaxClassSchema.pick({ name: true, inclusive: true, rates: true }).partial().meta({ id: 'UpdateTaxClass' });

export const taxClassListQuery = listQuerySchema.extend({ organizationId: z.uuid().optional() });
export const taxClassPage = pageSchema(taxClassSchema, 'TaxClassPage');

export type CreateTaxClassInput = z.infer<typeof createTaxClassSchema>;
export type UpdateTaxClassInput = z.infer<typeof updateTaxClassSchema>;
export type TaxClassListQuery = z.infer<typeof taxClassListQuery>;

export function ratesOf(row: Pick<TaxClassRow, 'rates'>): Required<TaxRate>[] {
  return (row.rates as TaxRate[]).map((r) => ({ code: r.code, percent: r.percent, compound: r.compound ?? false }));
}

export function mapTaxClass(row: TaxClassRow, readOnly: boolean): z.infer<typeof taxClassSchema> {
  return {
    id: row.id,
    organizationId: row.organization_id,
    code: row.code,
    name: row.name,
    inclusive: row.inclusive,
    rates: ratesOf(row),
    readOnly,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
