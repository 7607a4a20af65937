import { z } from 'zod';

export const savedCardSchema = z
  .object({
    id: z.uuid(),
    brand: z.string().describe("The card's brand as the gateway names it: visa, mastercard, amex…"),
    last4: z.string().describe('The last four digits; the number itself is never stored'),
    expMonth: z.number().int(),
    expYear: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'SavedCard' });

export const autopayAttemptSchema = z
  .object({
    id: z.uuid().describe('The payment attempt'),
    invoiceId: z.uuid().nullable(),
    invoiceNumber: z.string().nullable(),
    amount: z.string().describe('Decimal amount in major units'),
    currency: z.string(),
    status: z.enum(['pending', 'paid', 'failed', 'expired']),
    failureCode: z.string().nullable().describe("The gateway's reason: card_declined, insufficient_funds, authentication_required…"),
    failureMessage: z.string().nullable(),
    card: z.object({ brand: z.string(), last4: z.string() }),
    createdAt: z.string(),
  })
  .meta({ id: 'AutopayAttempt' });

export const savedCardsSchema = z
  .object({
    items: z.array(savedCardSchema).describe('Cards saved for automatic payments; the newest is charged when an invoice is due'),
    attempts: z.array(autopayAttemptSchema).describe('The latest automatic charges, newest first'),
  })
  .meta({ id: 'SavedCards' });

export type SavedCardsOutput = z.infer<typeof savedCardsSchema>;
