import { z } from 'zod';
import { pricePreviewSchema } from '../catalog/pricing.schemas.ts';

export const planChangeSchema = z
  .object({
    planId: z.uuid(),
    when: z.enum(['now', 'period_end']).describe('now: prorated over the current period; period_end: the next period is billed on the new plan'),
  })
  .meta({ id: 'PlanChangeRequest' });

const amount = z.string().describe('Decimal amount in major units, e.g. "1000.00"');

export const planChangePreviewSchema = z
  .object({
    subscriptionId: z.uuid(),
    fromPlanId: z.uuid(),
    toPlanId: z.uuid(),
    when: z.enum(['now', 'period_end']),
    effectiveAt: z.iso.datetime().describe('When the new plan takes over'),
    currency: z.string(),
    period: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }).nullable().describe('The period prorated (now), or the one at whose end the change happens'),
    lines: pricePreviewSchema.shape.lines.describe('A credit for the unused (or used) days and a charge for the same days on the other plan'),
    totals: pricePreviewSchema.shape.totals.describe('gross > 0: due (prepaid: taken from the wallet); gross < 0: credited to the wallet'),
    wallet: z
      .object({ available: amount, short: amount.describe('What the wallet lacks to pay the change; 0.00 when it can') })
      .nullable()
      .describe('Prepaid plans: what the wallet can pay'),
  })
  .meta({ id: 'PlanChangePreview' });

export const planChangeResultSchema = planChangePreviewSchema
  .extend({ invoiceId: z.uuid().nullable().describe('The plan-change invoice, when the change was prorated') })
  .meta({ id: 'PlanChangeResult' });

export type PlanChangeInput = z.infer<typeof planChangeSchema>;
export type PlanChangePreview = z.infer<typeof planChangePreviewSchema>;
