import { z } from 'zod';
import { listQuerySchema } from '../../platform/http/list.ts';

const decimal = z.string().describe('Decimal amount in major units, e.g. "1500.50"');
const amountText = z.string().trim().regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a positive decimal amount such as 1500.50');
const currency = z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'must be a currency code such as KES');

export const walletQuery = z.object({ currency: currency.optional().describe("Defaults to the subscriber's organization currency") });

export const walletSchema = z
  .object({
    subscriberId: z.uuid(),
    currency: z.string(),
    accountId: z.uuid().nullable().describe('The ledger account; null until the first movement'),
    balance: decimal.describe('Prepaid balance; negative when the subscriber uses credit'),
    creditLimit: decimal.describe('How far below zero the balance may go'),
    available: decimal.describe('Balance plus credit limit: what the wallet can pay now'),
    owed: decimal.describe('What the subscriber owes on unpaid invoices in this currency'),
  })
  .meta({ id: 'Wallet' });

export const topUpSchema = z
  .object({
    currency: currency.optional(),
    amount: amountText,
    reference: z.string().trim().min(1).max(100).describe('Receipt or transaction number: a second top-up with the same reference is refused'),
    memo: z.string().trim().max(500).optional(),
    payInvoices: z.boolean().default(true).describe('Pay unpaid invoices from the wallet at once, oldest first'),
  })
  .meta({ id: 'WalletTopUp' });

export const topUpResultSchema = z
  .object({ wallet: walletSchema, entryId: z.uuid(), invoicesPaid: decimal.describe('What the top-up paid of unpaid invoices') })
  .meta({ id: 'WalletTopUpResult' });

export const creditLimitSchema = z.object({ currency: currency.optional(), creditLimit: amountText }).meta({ id: 'WalletCreditLimit' });

export const walletStatementQuery = listQuerySchema.pick({ limit: true, cursor: true }).extend({ currency: currency.optional() });

export const walletStatementSchema = z
  .object({
    wallet: walletSchema,
    items: z.array(
      z.object({
        entryId: z.uuid(),
        kind: z.string(),
        memo: z.string(),
        occurredAt: z.iso.datetime(),
        amount: decimal.describe('Into the wallet positive, out of it negative'),
        balance: decimal.describe('The balance just after'),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'WalletStatement' });
