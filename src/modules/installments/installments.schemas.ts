import { z } from 'zod';
import { frequencies, maxInstallments } from '../../core/installments.ts';

const decimal = z.string().describe('Decimal amount in major units, e.g. "1500.50"');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const createPlanSchema = z
  .object({
    subscriberId: z.uuid(),
    invoiceIds: z.array(z.uuid()).min(1).max(50).describe("The subscriber's unpaid invoices the plan covers"),
    count: z.number().int().min(1).max(maxInstallments),
    firstDue: date.describe('Due date of the first installment'),
    frequency: z.enum(frequencies).default('monthly'),
    remainder: z.enum(['first', 'last']).default('last').describe('Which installment takes the minor units that do not divide evenly'),
    graceDays: z.number().int().min(0).max(60).default(3).describe('Days an installment may be late before the plan is broken'),
    note: z.string().trim().max(500).default(''),
  })
  .meta({ id: 'InstallmentPlanNew' });
export type CreatePlanInput = z.infer<typeof createPlanSchema>;

export const cancelPlanSchema = z.object({ reason: z.string().trim().min(1).max(500) }).meta({ id: 'InstallmentPlanCancel' });

export const planListQuery = z.object({
  subscriberId: z.uuid().optional(),
  status: z.enum(['active', 'completed', 'broken', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});

const status = z.enum(['active', 'completed', 'broken', 'cancelled']);

export const planSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    subscriberId: z.uuid(),
    subscriberName: z.string(),
    currency: z.string(),
    total: decimal,
    paid: decimal.describe('What has been paid towards the plan so far'),
    status,
    graceDays: z.number().int(),
    note: z.string(),
    createdAt: z.iso.datetime(),
    endedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'InstallmentPlan' });

export const planDetailSchema = planSchema
  .extend({
    installments: z.array(z.object({ seq: z.number().int(), dueDate: z.string(), amount: decimal, paid: decimal, status: z.enum(['due', 'paid', 'overdue']) })),
    invoices: z.array(z.object({ id: z.uuid(), number: z.string().nullable(), status: z.string(), owedAtStart: decimal, owed: decimal })),
  })
  .meta({ id: 'InstallmentPlanDetail' });

export const planPage = z.object({ items: z.array(planSchema), nextCursor: z.string().nullable() }).meta({ id: 'InstallmentPlanPage' });
