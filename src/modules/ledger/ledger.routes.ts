import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, sendCsv } from '../../platform/http/routes.ts';
import * as useCases from './ledger.use-cases.ts';
import {
  accountListQuery,
  accountPage,
  createAccountSchema,
  createEntrySchema,
  entryListQuery,
  entryPage,
  journalEntrySchema,
  ledgerAccountSchema,
  openChartSchema,
  reverseEntrySchema,
  statementQuery,
  statementSchema,
  trialBalanceQuery,
  trialBalanceSchema,
} from './ledger.schemas.ts';

const tags = ['Ledger'];

export function ledgerRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/ledger/accounts',
    {
      schema: { tags, summary: 'List ledger accounts with their balances', querystring: accountListQuery, response: { 200: accountPage, ...errors } },
      config: { permission: 'ledger.read' },
    },
    (req) => useCases.listAccounts(ctx, actorOf(req), req.query),
  );
  app.post(
    '/api/ledger/accounts',
    {
      schema: { tags, summary: 'Add an account of your own to the chart (a bank account, an expense)', body: createAccountSchema, response: { 201: ledgerAccountSchema, ...errors } },
      config: { permission: 'ledger.create' },
    },
    async (req, reply) => reply.code(201).send(await useCases.createAccount(ctx, actorOf(req), req.body)),
  );
  app.post(
    '/api/ledger/chart',
    {
      schema: { tags, summary: 'Open the standard chart of accounts for an organization and currency', body: openChartSchema, response: { 200: z.array(ledgerAccountSchema), ...errors } },
      config: { permission: 'ledger.create' },
    },
    (req) => useCases.openChart(ctx, actorOf(req), req.body),
  );
  app.get(
    '/api/ledger/accounts/:id',
    {
      schema: { tags, summary: 'Get a ledger account with its balance', params: idParams, response: { 200: ledgerAccountSchema, ...errors } },
      config: { permission: 'ledger.read' },
    },
    (req) => useCases.getAccount(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/ledger/accounts/:id/statement',
    {
      schema: { tags, summary: 'Account statement with the running balance', params: idParams, querystring: statementQuery, response: { 200: statementSchema, ...errors } },
      config: { permission: 'ledger.read' },
    },
    (req) => useCases.accountStatement(ctx, actorOf(req), req.params.id, req.query),
  );
  app.get(
    '/api/ledger/entries',
    {
      schema: { tags, summary: 'List journal entries', querystring: entryListQuery, response: { 200: entryPage, ...errors } },
      config: { permission: 'ledger.read' },
    },
    (req) => useCases.listEntries(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/ledger/entries/export',
    {
      schema: { tags, summary: 'Export journal entries as CSV, one row per line', querystring: entryListQuery.omit({ cursor: true, limit: true }), response: { 200: csvResponse, ...errors } },
      config: { permission: 'ledger.export' },
    },
    async (req, reply) => sendCsv(reply, 'journal.csv', await useCases.exportEntries(ctx, actorOf(req), req.query)),
  );
  app.get(
    '/api/ledger/entries/:id',
    {
      schema: { tags, summary: 'Get a journal entry with its lines', params: idParams, response: { 200: journalEntrySchema, ...errors } },
      config: { permission: 'ledger.read' },
    },
    (req) => useCases.getEntry(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/ledger/entries',
    {
      schema: {
        tags,
        summary: 'Post a manual journal entry (a staff adjustment)',
        description: 'Answers 201 with the new entry, or 200 with the first entry when its idempotencyKey was already posted with the same lines.',
        body: createEntrySchema,
        response: { 200: journalEntrySchema, 201: journalEntrySchema, ...errors },
      },
      config: { permission: 'ledger.create' },
    },
    async (req, reply) => {
      const { entry, replayed } = await useCases.postManualEntry(ctx, actorOf(req), req.body);
      return reply.code(replayed ? 200 : 201).send(entry);
    },
  );
  app.post(
    '/api/ledger/entries/:id/reverse',
    {
      schema: { tags, summary: 'Reverse a journal entry (at most once)', params: idParams, body: reverseEntrySchema, response: { 200: journalEntrySchema, 201: journalEntrySchema, ...errors } },
      config: { permission: 'ledger.create' },
    },
    async (req, reply) => {
      const { entry, replayed } = await useCases.reverseJournalEntry(ctx, actorOf(req), req.params.id, req.body);
      return reply.code(replayed ? 200 : 201).send(entry);
    },
  );
  app.get(
    '/api/ledger/trial-balance',
    {
      schema: { tags, summary: "Trial balance of an organization's books, per currency", querystring: trialBalanceQuery, response: { 200: trialBalanceSchema, ...errors } },
      config: { permission: 'ledger.read' },
    },
    (req) => useCases.getTrialBalance(ctx, actorOf(req), req.query),
  );
}
