import { z } from 'zod';
import { parseDecimal, toDecimalString } from '../../core/rational.ts';
import type { UsageRecord } from '../../platform/db/schema.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';

/** The scale a quantity keeps: finer than any meter reports (bytes as GB, seconds as minutes). */
export const QUANTITY_SCALE = 9;

/** A unit as the catalog's rate components name it, so usage and prices meet: GB, minutes, SMS. */
export const unitSchema = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_]{0,19}$/, 'must be a unit name such as GB or minutes (a letter, then letters, digits or _)');

/** Quantities are exact decimal text, never a float: "12.5" GB is 12.5 GB on the invoice. */
export const quantitySchema = z
  .string()
  .trim()
  .regex(new RegExp(`^\\d{1,15}(\\.\\d{1,${QUANTITY_SCALE}})?$`), `must be a decimal number of units, 0 or more, with at most ${QUANTITY_SCALE} decimals, such as 12.5`)
  .transform(canonicalQuantity);

export const referenceSchema = z.string().trim().min(1).max(200);

/** "007.50" → "7.5": one spelling per quantity, so a repeated reading compares equal. */
export function canonicalQuantity(text: string): string {
  return toDecimalString(parseDecimal(text, 'Quantity'), QUANTITY_SCALE);
}

export const usageSources = ['manual', 'import', 'radius'] as const;

export const usageRecordSchema = z
  .object({
    id: z.string().describe('Sequence number of the record'),
    subscriptionId: z.uuid(),
    unit: z.string(),
    quantity: z.string().describe('Exact decimal, e.g. "12.5"'),
    occurredAt: z.iso.datetime(),
    source: z.enum(usageSources).describe('manual (entered here), import (a file of readings) or radius (accounting)'),
    reference: z.string().nullable().describe('The meter reading or source id; unique per subscription, so sending it again is harmless'),
    createdAt: z.iso.datetime(),
    createdBy: z.uuid().nullable(),
  })
  .meta({ id: 'UsageRecord' });

export const createUsageSchema = z
  .object({
    unit: unitSchema,
    quantity: quantitySchema,
    occurredAt: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).describe('When the usage happened (ISO 8601 with a time zone offset)'),
    reference: referenceSchema.optional().describe('A reading or source id; the same reference again answers the record already stored'),
  })
  .meta({ id: 'CreateUsageRecord' });

const instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

export const usagePeriodQuery = z.object({
  from: instant.optional().describe('First instant included (ISO 8601)'),
  to: instant.optional().describe('First instant not included (ISO 8601)'),
});

export const usageListQuery = listQuerySchema.extend({ ...usagePeriodQuery.shape, unit: unitSchema.optional() });

export const usagePage = pageSchema(usageRecordSchema, 'UsageRecordPage');

export const usageTotalsQuery = z.object({
  from: instant.describe('First instant included (ISO 8601)'),
  to: instant.describe('First instant not included (ISO 8601)'),
});

export const usageTotalsSchema = z
  .object({
    subscriptionId: z.uuid(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    totals: z.record(z.string(), z.string()).describe('Per unit, the exact sum of the quantities in [from, to): { "GB": "73.25" }'),
  })
  .meta({ id: 'UsageTotals' });

export type CreateUsageInput = z.infer<typeof createUsageSchema>;
export type UsageListQuery = z.infer<typeof usageListQuery>;

export function mapUsageRecord(row: UsageRecord): z.infer<typeof usageRecordSchema> {
  return {
    id: row.id.toString(),
    subscriptionId: row.subscription_id,
    unit: row.unit,
    quantity: row.quantity,
    occurredAt: row.occurred_at.toISOString(),
    source: row.source,
    reference: row.reference,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}
