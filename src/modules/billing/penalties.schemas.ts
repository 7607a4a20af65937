import { z } from 'zod';
import { isCurrencyCode } from '../../core/organizations.ts';
import type { PenaltyClassRow } from '../../platform/db/schema.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';

export const penaltyKinds = ['fixed', 'percentage'] as const;

const currency = z.string().trim().toUpperCase().refine(isCurrencyCode, 'must be an ISO 4217 currency code such as KES, BDT or USD');
/** Amounts travel as decimal strings in major units ("200.00"); the currency decides how many decimals. */
const amountText = z.string().trim().regex(/^\d{1,15}(\.\d{1,4})?$/, 'must be a decimal amount such as 200 or 200.50');
const percentText = z.string().trim().regex(/^\d{1,3}(\.\d{1,4})?$/, 'must be a percentage such as 5 or 2.5');

export const penaltyClassSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    name: z.string(),
    kind: z.enum(penaltyKinds).describe('fixed: the amount once per overdue invoice; percentage: of what is still owed on it'),
    amount: z.string().nullable().describe('Fixed penalty in major units, e.g. "200.00"; null for a percentage'),
    percent: z.string().nullable().describe('Percentage of the amount owed, e.g. "5"; null for a fixed penalty'),
    minimum: z.string().nullable().describe('The least a percentage penalty charges, in major units; null for none'),
    currency: z.string().describe('The class applies to invoices in this currency'),
    daysAfterDue: z.number().int().describe('Days after the due date before the penalty is charged'),
    penaltyOnPenalty: z.boolean().describe('Whether an overdue penalty invoice is itself penalised'),
    readOnly: z.boolean().describe('True for a class of an organization above the one you work in'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'PenaltyClass' });

export const createPenaltyClassSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to the organization you are working in'),
    name: z.string().trim().min(1).max(200),
    kind: z.enum(penaltyKinds),
    amount: amountText.optional().describe('Required for a fixed penalty'),
    percent: percentText.optional().describe('Required for a percentage penalty: more than 0, at most 100'),
    minimum: amountText.optional().describe('Optional for a percentage penalty'),
    currency: currency.optional().describe("Defaults to the organization's"),
    daysAfterDue: z.number().int().min(0).max(365).default(0),
    penaltyOnPenalty: z.boolean().default(false),
  })
  .meta({ id: 'CreatePenaltyClass' });

export const updatePenaltyClassSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(penaltyKinds),
    amount: amountText.nullable(),
    percent: percentText.nullable(),
    minimum: amountText.nullable(),
    currency,
    daysAfterDue: z.number().int().min(0).max(365),
    penaltyOnPenalty: z.boolean(),
  })
  .partial()
  .meta({ id: 'UpdatePenaltyClass', description: 'Changing the kind clears the fields of the other kind' });

export const penaltyClassListQuery = listQuerySchema.extend({ organizationId: z.uuid().optional(), currency: currency.optional() });
export const penaltyClassPage = pageSchema(penaltyClassSchema, 'PenaltyClassPage');

export const assignPenaltyClassSchema = z
  .object({ penaltyClassId: z.uuid().nullable().describe('null: the subscriber is charged no late-payment penalty') })
  .meta({ id: 'AssignPenaltyClass' });

export const subscriberPenaltyClassSchema = z
  .object({ subscriberId: z.uuid(), penaltyClass: penaltyClassSchema.nullable() })
  .meta({ id: 'SubscriberPenaltyClass' });

export type CreatePenaltyClassInput = z.infer<typeof createPenaltyClassSchema>;
export type UpdatePenaltyClassInput = z.infer<typeof updatePenaltyClassSchema>;
export type PenaltyClassListQuery = z.infer<typeof penaltyClassListQuery>;

export function mapPenaltyClass(row: PenaltyClassRow, readOnly: boolean): z.infer<typeof penaltyClassSchema> {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    kind: row.kind,
    amount: row.amount,
    percent: row.percent,
    minimum: row.minimum,
    currency: row.currency,
    daysAfterDue: row.days_after_due,
    penaltyOnPenalty: row.penalty_on_penalty,
    readOnly,
    createdAt: row.created_at.toISOString(),
  };
}
