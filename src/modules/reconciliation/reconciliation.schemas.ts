import { z } from 'zod';
import { uploadedFile } from '../subscribers/documents.service.ts';
import { statementMappingSchema } from './statement-format.ts';

const decimal = z.string().describe('Decimal amount in major units, e.g. "1500.50"');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-11-20');
const channel = z.string().trim().regex(/^[a-z_]{1,30}(:[a-z0-9_-]{1,40})?$/, 'must be a payment channel such as mpesa, bank_transfer or bank:family');

export const presetSchema = z
  .object({ preset: z.string(), name: z.string(), gateway: z.string().nullable(), channels: z.array(z.string()), mapping: statementMappingSchema })
  .meta({ id: 'StatementPreset' });
export const presetList = z.object({ items: z.array(presetSchema) }).meta({ id: 'StatementPresetList' });

const sourceFields = z.object({
    key: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be a short key of letters, digits, - and _').describe('Unique in the organization: "mpesa-600123", "family-bank"'),
    name: z.string().trim().min(1).max(100),
    preset: z.enum(['mpesa_paybill', 'generic_bank', 'custom']),
    gateway: channel.nullable().default(null).describe('The gateway whose callbacks this statement confirms (mpesa); null for a bank account'),
    channels: z.array(channel).min(1).max(20).describe('Payment channels whose payments this statement shows'),
    currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/).optional().describe("Defaults to the organization's currency"),
    mapping: statementMappingSchema,
    autoCredit: z.boolean().default(false).describe('Credit a lost callback (a gateway line with no payment) at import, without staff confirmation'),
    dateWindowDays: z.number().int().min(0).max(31).default(3).describe('How far apart a line and a payment may be to match by reference and amount'),
});
export const sourceInput = sourceFields.meta({ id: 'StatementSourceCreate' });
export const sourceUpdate = z
  .object({ ...sourceFields.omit({ key: true }).shape, autoCredit: z.boolean(), dateWindowDays: z.number().int().min(0).max(31), gateway: sourceFields.shape.gateway.unwrap() })
  .partial()
  .meta({ id: 'StatementSourceUpdate' });

export const sourceSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    key: z.string(),
    name: z.string(),
    preset: z.string(),
    gateway: z.string().nullable(),
    channels: z.array(z.string()),
    currency: z.string(),
    mapping: statementMappingSchema,
    autoCredit: z.boolean(),
    dateWindowDays: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'StatementSource' });
export const sourceList = z.object({ items: z.array(sourceSchema) }).meta({ id: 'StatementSourceList' });

export const importInput = z
  .object({
    file: uploadedFile.describe('The statement: CSV or XLSX, as the source\'s mapping reads it'),
    dryRun: z.enum(['true', 'false']).default('false').describe('true: read and check the file, store nothing (the mapping preview)'),
  })
  .meta({ id: 'ImportStatement' });

const previewLine = z.object({
  line: z.number().int(),
  kind: z.string(),
  postedAt: z.iso.datetime(),
  amount: decimal,
  transactionId: z.string().nullable(),
  reference: z.string().nullable(),
  description: z.string().nullable(),
  payerName: z.string().nullable(),
  payerPhone: z.string().nullable(),
});

export const matchSummary = z
  .object({
    byTransactionId: z.number().int(),
    byReference: z.number().int(),
    credited: z.number().int().describe('Lost callbacks credited at once (the source credits automatically)'),
    lostCallbacks: z.number().int().describe('Gateway lines with no payment, waiting for staff to credit them'),
    ambiguous: z.number().int(),
    unmatched: z.number().int().describe('Receipt lines still unmatched, ambiguous and lost callbacks included'),
  })
  .meta({ id: 'StatementMatchSummary' });

export const importReport = z
  .object({
    dryRun: z.boolean(),
    importId: z.uuid().nullable(),
    headerLine: z.number().int(),
    headers: z.array(z.string()),
    rows: z.array(z.object({ line: z.number().int(), cells: z.array(z.string()) })).describe('The first rows of the file as read, header and preamble included'),
    preview: z.array(previewLine).describe('The first lines as the mapping reads them'),
    total: z.number().int().describe('Statement lines read'),
    imported: z.number().int().describe('New lines stored (0 on a dry run or with bad rows)'),
    alreadyImported: z.number().int().describe('Lines stored by an earlier import (not stored again)'),
    skipped: z.number().int().describe('Rows not completed or of no amount'),
    periodFrom: day.nullable(),
    periodTo: day.nullable(),
    errorCount: z.number().int(),
    errors: z.array(z.object({ line: z.number().int(), field: z.string(), message: z.string() })),
    matching: matchSummary.nullable(),
  })
  .meta({ id: 'StatementImportReport' });

export const importSchema = z
  .object({
    id: z.uuid(),
    filename: z.string(),
    periodFrom: day,
    periodTo: day,
    linesTotal: z.number().int(),
    linesNew: z.number().int(),
    rowsSkipped: z.number().int(),
    importedBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'StatementImport' });
export const importList = z.object({ items: z.array(importSchema) }).meta({ id: 'StatementImportList' });

export const lineSchema = z
  .object({
    id: z.uuid(),
    sourceId: z.uuid(),
    line: z.number().int(),
    kind: z.enum(['receipt', 'fee', 'settlement', 'payout']),
    status: z.enum(['unmatched', 'matched', 'ignored', 'info']),
    note: z.enum(['ambiguous', 'lost_callback']).nullable(),
    postedAt: z.iso.datetime(),
    amount: decimal,
    currency: z.string(),
    transactionId: z.string().nullable(),
    reference: z.string().nullable(),
    description: z.string().nullable(),
    payerName: z.string().nullable(),
    payerPhone: z.string().nullable(),
    paymentId: z.uuid().nullable(),
    paymentAmount: decimal.nullable(),
    paymentTransactionId: z.string().nullable(),
    paymentReceiptNo: z.string().nullable(),
    difference: decimal.nullable().describe('Statement amount minus the payment amount, when matched'),
    matchMethod: z.enum(['transaction_id', 'reference', 'manual', 'credited']).nullable(),
    ignoreReason: z.string().nullable(),
    matchedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'StatementLine' });
export const lineList = z.object({ items: z.array(lineSchema) }).meta({ id: 'StatementLineList' });

export const lineQuery = z.object({
  status: z.enum(['unmatched', 'matched', 'ignored', 'info']).optional(),
  kind: z.enum(['receipt', 'fee', 'settlement', 'payout']).optional(),
  from: day.optional(),
  to: day.optional().describe('Inclusive'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const paymentSchema = z
  .object({
    id: z.uuid(),
    receiptNo: z.string(),
    channel: z.string(),
    transactionId: z.string(),
    amount: decimal,
    currency: z.string(),
    reference: z.string().nullable(),
    payerName: z.string().nullable(),
    payerPhone: z.string().nullable(),
    status: z.string(),
    receivedAt: z.iso.datetime(),
  })
  .meta({ id: 'UnmatchedPayment' });
export const unmatchedPaymentsQuery = z.object({ to: day.optional().describe("Up to this day (inclusive); defaults to the end of the source's last statement") });
export const unmatchedPaymentList = z
  .object({ periodFrom: day.nullable(), periodTo: day.nullable(), items: z.array(paymentSchema) })
  .meta({ id: 'UnmatchedPaymentList' });

export const matchInput = z.object({ paymentId: z.uuid() }).meta({ id: 'StatementLineMatch' });
export const ignoreInput = z.object({ reason: z.string().trim().min(1).max(500) }).meta({ id: 'StatementLineIgnore' });
export const creditResult = z.object({ line: lineSchema, replayed: z.boolean().describe('The payment was already recorded (the callback came after all): matched, not credited again') }).meta({ id: 'StatementLineCredit' });

export const reportQuery = z.object({ from: day, to: day.describe('Inclusive') });
export const dailyReport = z
  .object({
    source: z.object({ id: z.uuid(), key: z.string(), name: z.string() }),
    currency: z.string(),
    days: z.array(
      z.object({
        day,
        lines: z.number().int().describe('Receipt lines on the statement'),
        matched: z.number().int(),
        unmatchedLines: z.number().int(),
        ignored: z.number().int(),
        unmatchedPayments: z.number().int().describe('Our payments of the day that no line accounts for'),
        statementAmount: decimal,
        matchedAmount: decimal,
        unmatchedLinesAmount: decimal,
        unmatchedPaymentsAmount: decimal,
        difference: decimal.describe('Matched lines minus their payments'),
      }),
    ),
  })
  .meta({ id: 'ReconciliationDailyReport' });

export const settlementQuery = reportQuery.extend({ gateway: channel.default('mpesa') });
export const settlementReport = z
  .object({
    gateway: z.string(),
    currency: z.string(),
    days: z.array(
      z.object({
        day,
        payments: z.number().int(),
        received: decimal.describe('Payments received through the gateway'),
        fees: decimal.describe("Charges on the gateway's statements"),
        settled: decimal.describe('What the gateway paid over to the bank'),
        clearingBalance: decimal.describe("The gateway clearing account's balance at the end of the day (ledger)"),
      }),
    ),
  })
  .meta({ id: 'GatewaySettlementReport' });
