/**
 * What staff do with the books through the API: read accounts, statements and entries, post manual
 * adjustments, reverse entries, open the chart, take the trial balance. Each use case checks its
 * permission, sees only the caller's subtree (another tenant's account or entry is "not found"),
 * and audits its change in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { customPrefix, naturalBalance, standardChart } from '../../core/ledger.ts';
import { type Money, formatMoney, parseMoney } from '../../core/money.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, JournalEntry } from '../../platform/db/schema.ts';
import { BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { everyPage, page, toCsv } from '../../platform/http/list.ts';
import * as repo from './ledger.repo.ts';
import * as ledger from './ledger.service.ts';
import {
  type AccountListQuery,
  type CreateAccountInput,
  type CreateEntryInput,
  type EntryListQuery,
  type OpenChartInput,
  type ReverseEntryInput,
  type StatementQuery,
  type TrialBalanceQuery,
  debitCredit,
  mapAccount,
  mapEntry,
} from './ledger.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;
type Db = Kysely<DB> | Transaction<DB>;

/** The organization whose books the request works on: the one named, or the one the caller works in. */
async function booksOf(db: Db, actor: Actor, organizationId: string | undefined) {
  const org = await repo.organizationInScope(db, actor.principal.scope, organizationId ?? actor.principal.scope.orgId);
  if (!org) throw new NotFoundError('Organization');
  return org;
}

async function withLines(db: Db, entries: JournalEntry[]) {
  const ids = entries.map((e) => e.id);
  const [lines, reversals] = await Promise.all([repo.linesOf(db, ids), repo.reversalsOf(db, ids)]);
  return entries.map((e) => mapEntry(e, lines.filter((l) => l.entry_id === e.id), reversals.get(e.id) ?? null));
}

export async function listAccounts(deps: Deps, actor: Actor, query: AccountListQuery) {
  requirePermission(actor, 'ledger.read');
  const rows = await repo.listAccounts(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.accountSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map(mapAccount), nextCursor: p.nextCursor };
}

export async function getAccount(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'ledger.read');
  const account = await repo.findAccountInScope(deps.db, actor.principal.scope, id);
  if (!account) throw new NotFoundError('Ledger account');
  return mapAccount(account);
}

/** An account of the accountant's own (a bank account, bank charges) beside the standard chart. */
export async function createAccount(deps: Deps, actor: Actor, input: CreateAccountInput) {
  requirePermission(actor, 'ledger.create');
  return deps.db.transaction().execute(async (trx) => {
    const org = await booksOf(trx, actor, input.organizationId);
    const currency = input.currency ?? org.currency;
    const systemKey = `${customPrefix}${input.code}`;
    const key = { organizationId: org.id, systemKey, currency, ownerType: null, ownerId: null };
    if (await repo.findAccountByKey(trx, key))
      throw new ConflictError(`The books already hold an account ${input.code} in ${currency}`, [{ field: 'code', message: 'is taken' }]);
    await repo.insertAccounts(trx, [{ organization_id: org.id, code: input.code, name: input.name, type: input.type, currency, system_key: systemKey }]);
    const account = mapAccount((await repo.findAccount(trx, (await repo.findAccountByKey(trx, key))!.id))!);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'ledger.account.create',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'ledger_account',
      objectId: account.id,
      after: account,
    });
    return account;
  });
}

/** Opens the standard chart of accounts of an organization in a currency; accounts it already has stay. */
export async function openChart(deps: Deps, actor: Actor, input: OpenChartInput) {
  requirePermission(actor, 'ledger.create');
  return deps.db.transaction().execute(async (trx) => {
    const org = await booksOf(trx, actor, input.organizationId);
    const currency = input.currency ?? org.currency;
    const before = new Set((await repo.accountsOfOrganization(trx, org.id, currency, standardChart)).map((a) => a.id));
    const chart = await ledger.ensureChart(trx, org.id, currency);
    const opened = chart.filter((a) => !before.has(a.id));
    if (opened.length > 0)
      await appendAudit(trx, deps.clock, actor.audit, {
        action: 'ledger.chart.open',
        organizationId: org.id,
        organizationPath: org.path,
        objectType: 'organization',
        objectId: org.id,
        after: { currency, accounts: opened.map((a) => ({ id: a.id, code: a.code, systemKey: a.system_key })) },
      });
    const accounts = await Promise.all(chart.map((a) => repo.findAccount(trx, a.id)));
    return accounts.map((a) => mapAccount(a!));
  });
}

export async function accountStatement(deps: Deps, actor: Actor, id: string, query: StatementQuery) {
  requirePermission(actor, 'ledger.read');
  const account = await repo.findAccountInScope(deps.db, actor.principal.scope, id);
  if (!account) throw new NotFoundError('Ledger account');
  const { lines, nextCursor } = await ledger.statement(deps.db, account.id, query);
  const items = lines.map((l) => ({
    lineId: l.id.toString(),
    entryId: l.entry_id,
    seq: l.seq.toString(),
    kind: l.kind,
    memo: l.memo,
    occurredAt: l.occurred_at.toISOString(),
    postedAt: l.posted_at.toISOString(),
    ...debitCredit(l.amount, l.currency),
    balance: formatMoney({ minor: naturalBalance(account.type, l.balanceAfter), currency: account.currency }),
  }));
  return { account: mapAccount(account), items, nextCursor };
}

async function entryPage(deps: Deps, actor: Actor, query: EntryListQuery) {
  const rows = await repo.listEntries(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.entrySort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: await withLines(deps.db, p.items), nextCursor: p.nextCursor };
}

export async function listEntries(deps: Deps, actor: Actor, query: EntryListQuery) {
  requirePermission(actor, 'ledger.read');
  return entryPage(deps, actor, query);
}

export async function getEntry(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'ledger.read');
  const entry = await repo.findEntryInScope(deps.db, actor.principal.scope, id);
  if (!entry) throw new NotFoundError('Journal entry');
  return (await withLines(deps.db, [entry]))[0]!;
}

/** One CSV row per journal line, the way an accountant's spreadsheet wants it. */
export async function exportEntries(deps: Deps, actor: Actor, query: Omit<EntryListQuery, 'cursor' | 'limit'>): Promise<string> {
  requirePermission(actor, 'ledger.export');
  const entries = await everyPage(query, (q: EntryListQuery) => entryPage(deps, actor, q));
  const rows = entries.flatMap((e) =>
    e.lines.map((l) => ({ ...l, seq: e.seq, entryId: e.id, occurredAt: e.occurredAt, postedAt: e.postedAt, kind: e.kind, memo: e.memo, reversesEntryId: e.reversesEntryId })),
  );
  const columns = ['seq', 'entryId', 'occurredAt', 'postedAt', 'kind', 'memo', 'lineNo', 'accountId', 'accountCode', 'accountName', 'currency', 'debit', 'credit', 'reversesEntryId'];
  return toCsv(columns, rows);
}

/** A staff adjustment: balanced lines on accounts of one organization's books. */
export async function postManualEntry(deps: Deps, actor: Actor, input: CreateEntryInput) {
  requirePermission(actor, 'ledger.create');
  return deps.db.transaction().execute(async (trx) => {
    const org = await booksOf(trx, actor, input.organizationId);
    const lines: ledger.EntryLineInput[] = [];
    for (const [i, line] of input.lines.entries()) {
      const account = await repo.findAccountInScope(trx, actor.principal.scope, line.accountId);
      if (!account) throw new NotFoundError('Ledger account');
      if (account.organization_id !== org.id)
        throw new UnprocessableError('Every line must be on an account of the same books', [{ field: `lines.${i}.accountId`, message: "is kept in another organization's books" }]);
      const field = line.debit !== undefined ? 'debit' : 'credit';
      const amount = parseAmount(line.debit ?? line.credit!, account.currency, `lines.${i}.${field}`);
      lines.push({ accountId: account.id, amount: field === 'debit' ? amount : { ...amount, minor: -amount.minor } });
    }
    const posted = await ledger.postEntry(trx, deps.clock, {
      organizationId: org.id,
      kind: 'manual',
      // Staff keys live in their own namespace so they can never collide with a gateway's or an invoice's.
      idempotencyKey: `manual:${input.idempotencyKey ?? randomUUID()}`,
      lines,
      memo: input.memo,
      occurredAt: input.occurredAt ? new Date(input.occurredAt) : undefined,
      createdBy: actor.principal.userId,
    });
    const entry = mapEntry(posted.entry, posted.lines, null);
    if (!posted.replayed)
      await appendAudit(trx, deps.clock, actor.audit, { action: 'ledger.entry.post', organizationId: org.id, organizationPath: org.path, objectType: 'journal_entry', objectId: entry.id, after: entry });
    return { entry, replayed: posted.replayed };
  });
}

function parseAmount(text: string, currency: string, field: string): Money {
  try {
    const amount = parseMoney(text, currency);
    if (amount.minor === 0n) throw new RangeError('must be more than zero');
    return amount;
  } catch (err) {
    throw new BadRequestError(`Invalid amount for ${currency}`, [{ field, message: (err as Error).message }]);
  }
}

export async function reverseJournalEntry(deps: Deps, actor: Actor, id: string, input: ReverseEntryInput) {
  requirePermission(actor, 'ledger.create');
  return deps.db.transaction().execute(async (trx) => {
    const original = await repo.findEntryInScope(trx, actor.principal.scope, id);
    if (!original) throw new NotFoundError('Journal entry');
    const org = await booksOf(trx, actor, original.organization_id);
    const posted = await ledger.reverseEntry(trx, deps.clock, original, {
      idempotencyKey: `reversal:${input.idempotencyKey ?? randomUUID()}`,
      memo: input.memo,
      occurredAt: input.occurredAt ? new Date(input.occurredAt) : undefined,
      createdBy: actor.principal.userId,
    });
    const entry = mapEntry(posted.entry, posted.lines, null);
    if (!posted.replayed)
      await appendAudit(trx, deps.clock, actor.audit, {
        action: 'ledger.entry.reverse',
        organizationId: org.id,
        organizationPath: org.path,
        objectType: 'journal_entry',
        objectId: entry.id,
        before: { reversedEntryId: original.id },
        after: entry,
      });
    return { entry, replayed: posted.replayed };
  });
}

export async function getTrialBalance(deps: Deps, actor: Actor, query: TrialBalanceQuery) {
  requirePermission(actor, 'ledger.read');
  const org = await booksOf(deps.db, actor, query.organizationId);
  const tb = await ledger.trialBalance(deps.db, org.id, query.currency);
  return {
    organizationId: org.id,
    currencies: tb.currencies.map((c) => ({
      currency: c.currency,
      debit: formatMoney({ minor: c.debit, currency: c.currency }),
      credit: formatMoney({ minor: c.credit, currency: c.currency }),
      difference: formatMoney({ minor: c.debit - c.credit, currency: c.currency }),
      rows: c.rows.map((r) => ({
        code: r.code,
        systemKey: r.system_key,
        name: r.name,
        type: r.type,
        accounts: Number(r.accounts),
        ...(r.net === 0n ? { debit: null, credit: null } : debitCredit(r.net, c.currency)),
      })),
    })),
  };
}
