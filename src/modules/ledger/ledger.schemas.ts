import { z } from 'zod';
import { accountTypes, naturalBalance, normalSide } from '../../core/ledger.ts';
import { formatMoney } from '../../core/money.ts';
import { isCurrencyCode } from '../../core/organizations.ts';
import type { JournalEntry } from '../../platform/db/schema.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';
import type { AccountWithBalance, EntryLineRow } from './ledger.repo.ts';

const currency = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isCurrencyCode, 'must be an ISO 4217 currency code such as KES, BDT or USD');
/** Amounts travel as decimal strings in major units ("1500.50"): exact, and readable by people. */
const amountText = z.string().regex(/^\d{1,15}(\.\d{1,4})?$/, 'must be a positive decimal amount such as 1500.50');
const decimal = z.string().describe('Decimal amount in major units of the currency, e.g. "1500.50"');
const accountType = z.enum(accountTypes);

export const ledgerAccountSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    code: z.string(),
    name: z.string(),
    type: accountType,
    normalSide: z.enum(['debit', 'credit']),
    currency: z.string(),
    systemKey: z.string().describe('What the account is for: cash_on_hand, subscriber_wallet, revenue:pppoe, custom:<code> …'),
    ownerType: z.string().nullable().describe('Whose sub-ledger account it is (subscriber, reseller, card_partner); null for the organization’s own'),
    ownerId: z.uuid().nullable(),
    creditLimit: decimal.nullable().describe('How far past zero a spendable balance (a wallet) may go; null when not limited'),
    balance: decimal.describe('On the normal side: what a wallet holds, what cash is on hand'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'LedgerAccount' });

export const createAccountSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to the organization you are working in'),
    code: z.string().trim().regex(/^[0-9A-Za-z.-]{1,20}$/, 'must be 1-20 letters, digits, dots or dashes'),
    name: z.string().trim().min(1).max(200),
    type: accountType,
    currency: currency.optional().describe("Defaults to the organization's"),
  })
  .meta({ id: 'CreateLedgerAccount' });

export const openChartSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to the organization you are working in'),
    currency: currency.optional().describe("Defaults to the organization's"),
  })
  .meta({ id: 'OpenLedgerChart' });

export const accountListQuery = listQuerySchema.extend({
  organizationId: z.uuid().optional(),
  currency: currency.optional(),
  type: accountType.optional(),
  systemKey: z.string().max(100).optional(),
  ownerType: z.string().max(40).optional(),
  ownerId: z.uuid().optional(),
});

const entryLineSchema = z.object({
  lineNo: z.number().int(),
  accountId: z.uuid(),
  accountCode: z.string(),
  accountName: z.string(),
  currency: z.string(),
  debit: decimal.nullable(),
  credit: decimal.nullable(),
});

export const journalEntrySchema = z
  .object({
    id: z.uuid(),
    seq: z.string().describe('Posting order across the ledger'),
    organizationId: z.uuid(),
    kind: z.string().describe('manual, reversal, invoice, payment, wallet_top_up …'),
    memo: z.string(),
    occurredAt: z.iso.datetime(),
    postedAt: z.iso.datetime(),
    idempotencyKey: z.string(),
    reversesEntryId: z.uuid().nullable(),
    reversedByEntryId: z.uuid().nullable(),
    createdBy: z.uuid().nullable(),
    lines: z.array(entryLineSchema),
  })
  .meta({ id: 'JournalEntry' });

const manualLineSchema = z
  .object({ accountId: z.uuid(), debit: amountText.optional(), credit: amountText.optional() })
  .refine((l) => (l.debit === undefined) !== (l.credit === undefined), 'give either debit or credit');

export const createEntrySchema = z
  .object({
    organizationId: z.uuid().optional().describe('Whose books; defaults to the organization you are working in'),
    memo: z.string().trim().min(1).max(500),
    occurredAt: z.iso.datetime({ offset: true }).optional().describe('Defaults to now'),
    idempotencyKey: z
      .string()
      .trim()
      .regex(/^[\x21-\x7e]{1,200}$/)
      .optional()
      .describe('Posting again with the same key answers the first entry; the same key with other lines is refused'),
    lines: z.array(manualLineSchema).min(2).max(200),
  })
  .meta({ id: 'CreateJournalEntry' });

export const reverseEntrySchema = z
  .object({
    memo: z.string().trim().min(1).max(500).optional(),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    idempotencyKey: z.string().trim().regex(/^[\x21-\x7e]{1,200}$/).optional(),
  })
  .meta({ id: 'ReverseJournalEntry' });

export const entryListQuery = listQuerySchema.extend({
  organizationId: z.uuid().optional(),
  accountId: z.uuid().optional().describe('Only entries with a line on this account'),
  kind: z.string().max(40).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('occurredAt on or after'),
  to: z.iso.datetime({ offset: true }).optional().describe('occurredAt before'),
});

export const statementQuery = listQuerySchema.pick({ limit: true, cursor: true, sort: true });

const statementLineSchema = z.object({
  lineId: z.string(),
  entryId: z.uuid(),
  seq: z.string(),
  kind: z.string(),
  memo: z.string(),
  occurredAt: z.iso.datetime(),
  postedAt: z.iso.datetime(),
  debit: decimal.nullable(),
  credit: decimal.nullable(),
  balance: decimal.describe('The account’s balance just after this line, on its normal side'),
});

export const statementSchema = z
  .object({ account: ledgerAccountSchema, items: z.array(statementLineSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'LedgerStatement' });

const trialBalanceRowSchema = z.object({
  code: z.string(),
  systemKey: z.string(),
  name: z.string(),
  type: accountType,
  accounts: z.number().int().describe('Sub-ledger accounts (one per subscriber wallet…) summed into this row'),
  debit: decimal.nullable(),
  credit: decimal.nullable(),
});

export const trialBalanceSchema = z
  .object({
    organizationId: z.uuid(),
    currencies: z.array(
      z.object({
        currency: z.string(),
        debit: decimal,
        credit: decimal,
        difference: decimal.describe('Debits less credits: always zero'),
        rows: z.array(trialBalanceRowSchema),
      }),
    ),
  })
  .meta({ id: 'TrialBalance' });

export const trialBalanceQuery = z.object({ organizationId: z.uuid().optional(), currency: currency.optional() });

export const accountPage = pageSchema(ledgerAccountSchema, 'LedgerAccountPage');
export const entryPage = pageSchema(journalEntrySchema, 'JournalEntryPage');

export type AccountListQuery = z.infer<typeof accountListQuery>;
export type EntryListQuery = z.infer<typeof entryListQuery>;
export type StatementQuery = z.infer<typeof statementQuery>;
export type CreateAccountInput = z.infer<typeof createAccountSchema>;
export type OpenChartInput = z.infer<typeof openChartSchema>;
export type CreateEntryInput = z.infer<typeof createEntrySchema>;
export type ReverseEntryInput = z.infer<typeof reverseEntrySchema>;
export type TrialBalanceQuery = z.infer<typeof trialBalanceQuery>;

/** A signed amount as the debit and credit columns: exactly one of them is set. */
export function debitCredit(minor: bigint, currency: string): { debit: string | null; credit: string | null } {
  return minor >= 0n ? { debit: formatMoney({ minor, currency }), credit: null } : { debit: null, credit: formatMoney({ minor: -minor, currency }) };
}

export function mapAccount(a: AccountWithBalance): z.infer<typeof ledgerAccountSchema> {
  return {
    id: a.id,
    organizationId: a.organization_id,
    code: a.code,
    name: a.name,
    type: a.type,
    normalSide: normalSide(a.type),
    currency: a.currency,
    systemKey: a.system_key,
    ownerType: a.owner_type,
    ownerId: a.owner_id,
    creditLimit: a.credit_limit === null ? null : formatMoney({ minor: a.credit_limit, currency: a.currency }),
    balance: formatMoney({ minor: naturalBalance(a.type, a.balance), currency: a.currency }),
    createdAt: a.created_at.toISOString(),
  };
}

export function mapEntry(e: JournalEntry, lines: readonly EntryLineRow[], reversedBy: string | null): z.infer<typeof journalEntrySchema> {
  return {
    id: e.id,
    seq: e.seq.toString(),
    organizationId: e.organization_id,
    kind: e.kind,
    memo: e.memo,
    occurredAt: e.occurred_at.toISOString(),
    postedAt: e.posted_at.toISOString(),
    idempotencyKey: e.idempotency_key,
    reversesEntryId: e.reverses_entry_id,
    reversedByEntryId: reversedBy,
    createdBy: e.created_by,
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      accountId: l.account_id,
      accountCode: l.account_code,
      accountName: l.account_name,
      currency: l.currency,
      ...debitCredit(l.amount, l.currency),
    })),
  };
}
