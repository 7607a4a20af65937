/**
 * The ledger's engine, for every module that moves money: `postEntry` is the one way money moves.
 * Each function runs inside the caller's transaction, so an invoice, its journal entry and its
 * audit entry commit together or not at all. Permission checks and audit belong to the callers'
 * use cases (ledger.use-cases.ts for staff, the billing and payment modules for theirs).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { type AccountKey, type PostingLine, UnbalancedEntryError, accountTemplate, assertBalanced, naturalBalance, reversalLines, standardChart } from '../../core/ledger.ts';
import { type Money, formatMoney } from '../../core/money.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB, JournalEntry, LedgerAccount } from '../../platform/db/schema.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { page } from '../../platform/http/list.ts';
import * as repo from './ledger.repo.ts';
import type { StatementQuery } from './ledger.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface EntryLineInput {
  readonly accountId: string;
  /** Debit > 0, credit < 0, in the account's currency. */
  readonly amount: Money;
}

export interface PostEntryInput {
  /** The entry's id, when the caller must know it before posting (a payment row names its entry); new otherwise. */
  readonly id?: string;
  readonly organizationId: string;
  /** What moved the money: manual, reversal, invoice, payment, wallet_top_up … */
  readonly kind: string;
  /** Unique per organization: the gateway transaction id, the invoice id, the caller's key. */
  readonly idempotencyKey: string;
  readonly lines: readonly EntryLineInput[];
  readonly memo?: string;
  /** When it happened in the business; defaults to now. */
  readonly occurredAt?: Date;
  readonly reversesEntryId?: string;
  /** The user who posted it; null for the system (jobs, gateway callbacks). */
  readonly createdBy?: string | null;
}

export interface PostedEntry {
  readonly entry: JournalEntry;
  readonly lines: repo.EntryLineRow[];
  /** True when the idempotency key had already posted this entry and nothing new was written. */
  readonly replayed: boolean;
}

/** A deduction that would take a wallet (or another spendable balance) past its credit limit. */
export class CreditLimitError extends UnprocessableError {
  constructor(
    readonly accountId: string,
    message: string,
  ) {
    super(message);
  }
}

const show = (minor: bigint, currency: string) => `${formatMoney({ minor, currency })} ${currency}`;

/**
 * Posts one balanced entry. Locks the balance rows of its accounts (so a wallet deduction sees the
 * balance no other deduction can change until it commits), refuses a spendable balance past its
 * credit limit before writing, and answers the existing entry for a repeated idempotency key with
 * the same content (refusing other content).
 */
export async function postEntry(trx: Transaction<DB>, clock: Clock, input: PostEntryInput): Promise<PostedEntry> {
  const [posted] = await postEntries(trx, clock, [input]);
  return { ...posted!, lines: await repo.linesOf(trx, [posted!.entry.id]) };
}

/**
 * Posts many entries with a handful of statements whatever their number (a billing run posts its
 * invoices in batches of a few thousand), with the same rules as postEntry; one refusal refuses
 * the batch. Answers each input's entry, in order.
 */
export interface PostOptions {
  /**
   * The caller knows its keys are new (it holds the locks of the events they stand for): the check
   * for earlier entries before posting is skipped. A key that was used after all is still answered
   * as a replay, but its lines counted against credit limits as if new.
   */
  readonly newKeys?: boolean;
}

export async function postEntries(trx: Transaction<DB>, clock: Clock, inputs: readonly PostEntryInput[], opts: PostOptions = {}): Promise<Omit<PostedEntry, 'lines'>[]> {
  for (const input of inputs) {
    try {
      assertBalanced(input.lines);
    } catch (err) {
      if (err instanceof UnbalancedEntryError) throw new UnprocessableError(inputs.length > 1 ? `${input.idempotencyKey}: ${err.message}` : err.message);
      throw err;
    }
  }
  const keyOf = (x: { organizationId: string; idempotencyKey: string }) => `${x.organizationId}|${x.idempotencyKey}`;
  const earlier = new Map((opts.newKeys ? [] : await repo.findEntriesByKeys(trx, inputs)).map((e) => [keyOf({ organizationId: e.organization_id, idempotencyKey: e.idempotency_key }), e]));
  const fresh = new Map<string, PostEntryInput>();
  for (const input of inputs) if (!earlier.has(keyOf(input)) && !fresh.has(keyOf(input))) fresh.set(keyOf(input), input);

  await checkAccounts(trx, [...fresh.values()]);
  const now = clock.now();
  const rows = [...fresh.values()].map((input) => ({
    id: input.id ?? randomUUID(),
    organization_id: input.organizationId,
    kind: input.kind,
    memo: input.memo ?? '',
    occurred_at: input.occurredAt ?? now,
    posted_at: now,
    idempotency_key: input.idempotencyKey,
    reverses_entry_id: input.reversesEntryId ?? null,
    created_by: input.createdBy ?? null,
  }));
  const written = await repo.insertEntriesWithLines(
    trx,
    rows,
    rows.flatMap((r) => fresh.get(keyOf({ organizationId: r.organization_id, idempotencyKey: r.idempotency_key }))!.lines.map((l, i) => ({ entry_id: r.id, line_no: i + 1, account_id: l.accountId, currency: l.amount.currency, amount: l.amount.minor }))),
  );
  const posted = new Map(written.map((e) => [keyOf({ organizationId: e.organization_id, idempotencyKey: e.idempotency_key }), e]));
  const isNew = (input: PostEntryInput) => posted.has(keyOf(input)) && fresh.get(keyOf(input)) === input;
  // A replay: a key posted before this call, repeated within it, or posted by another transaction while this one waited for the locks.
  const replays = inputs.filter((input) => !isNew(input));
  const unseen = replays.filter((input) => !earlier.has(keyOf(input)) && !posted.has(keyOf(input)));
  for (const e of await repo.findEntriesByKeys(trx, unseen)) earlier.set(keyOf({ organizationId: e.organization_id, idempotencyKey: e.idempotency_key }), e);
  const firstOf = (input: PostEntryInput) => (earlier.get(keyOf(input)) ?? posted.get(keyOf(input)))!;
  const replayLines = new Map<string, repo.EntryLineRow[]>();
  for (const l of await repo.linesOf(trx, [...new Set(replays.map((input) => firstOf(input).id))])) replayLines.set(l.entry_id, [...(replayLines.get(l.entry_id) ?? []), l]);
  return inputs.map((input) => {
    if (isNew(input)) return { entry: posted.get(keyOf(input))!, replayed: false };
    const first = firstOf(input);
    assertSameContent(first, replayLines.get(first.id) ?? [], input);
    return { entry: first, replayed: true };
  });
}

/** Locks the accounts of the entries in id order and refuses what the database would refuse, before anything is written. */
async function checkAccounts(trx: Transaction<DB>, inputs: readonly PostEntryInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const ids = [...new Set(inputs.flatMap((input) => input.lines.map((l) => l.accountId)))].sort();
  const accounts = new Map((await repo.lockAccounts(trx, ids)).map((a) => [a.id, { ...a }]));
  for (const input of inputs) {
    const moves = new Map<string, bigint>();
    for (const line of input.lines) {
      const account = accounts.get(line.accountId);
      if (!account) throw new NotFoundError('Ledger account');
      if (account.organization_id !== input.organizationId) throw new UnprocessableError(`Account ${account.code} ${account.name} is kept in another organization's books`);
      if (account.currency !== line.amount.currency)
        throw new UnprocessableError(`Account ${account.code} ${account.name} is kept in ${account.currency}, not ${line.amount.currency}`);
      moves.set(account.id, (moves.get(account.id) ?? 0n) + line.amount.minor);
    }
    for (const [id, move] of moves) {
      const account = accounts.get(id)!;
      assertWithinCreditLimit(account, move);
      account.balance += move;
    }
  }
}

function assertWithinCreditLimit(account: repo.AccountWithBalance, move: bigint): void {
  if (account.credit_limit === null) return;
  const before = naturalBalance(account.type, account.balance);
  const after = naturalBalance(account.type, account.balance + move);
  if (after >= before || after >= -account.credit_limit) return;
  const limit = account.credit_limit > 0n ? `its credit limit of ${show(account.credit_limit, account.currency)}` : 'zero';
  throw new CreditLimitError(
    account.id,
    `${account.name} holds ${show(before, account.currency)}; taking ${show(before - after, account.currency)} would go past ${limit}`,
  );
}

/** The same key answers the first entry when it moved the same money; anything else is a caller's mistake. */
function assertSameContent(entry: JournalEntry, lines: readonly repo.EntryLineRow[], input: PostEntryInput): void {
  const fingerprint = (rows: readonly { accountId: string; currency: string; minor: bigint }[]) =>
    rows.map((r) => `${r.accountId}|${r.currency}|${r.minor}`).sort().join(';');
  const same =
    entry.kind === input.kind &&
    entry.reverses_entry_id === (input.reversesEntryId ?? null) &&
    fingerprint(lines.map((l) => ({ accountId: l.account_id, currency: l.currency, minor: l.amount }))) ===
      fingerprint(input.lines.map((l) => ({ accountId: l.accountId, currency: l.amount.currency, minor: l.amount.minor })));
  if (!same) throw new ConflictError(`Idempotency key "${input.idempotencyKey}" already posted entry #${entry.seq} with other lines`);
}

export interface ReverseEntryInput {
  readonly idempotencyKey: string;
  readonly memo?: string;
  readonly occurredAt?: Date;
  readonly createdBy?: string | null;
}

/**
 * Posts the entry that undoes `entry` (every line negated). An entry is reversed at most once; a
 * reversal may itself be reversed, which puts the original effect back.
 */
export async function reverseEntry(trx: Transaction<DB>, clock: Clock, entry: JournalEntry, input: ReverseEntryInput): Promise<PostedEntry> {
  const existing = (await repo.reversalsOf(trx, [entry.id])).get(entry.id);
  if (existing) {
    const reversal = (await repo.findEntry(trx, existing))!;
    if (reversal.idempotency_key !== input.idempotencyKey) throw new ConflictError(`Entry #${entry.seq} is already reversed by entry #${reversal.seq}`);
  }
  const lines = await repo.linesOf(trx, [entry.id]);
  try {
    return await postEntry(trx, clock, {
      organizationId: entry.organization_id,
      kind: 'reversal',
      idempotencyKey: input.idempotencyKey,
      lines: reversalLines(lines.map((l) => ({ accountId: l.account_id, amount: { minor: l.amount, currency: l.currency } }))),
      memo: input.memo ?? `Reversal of entry #${entry.seq}${entry.memo ? `: ${entry.memo}` : ''}`.slice(0, 500),
      occurredAt: input.occurredAt,
      reversesEntryId: entry.id,
      createdBy: input.createdBy,
    });
  } catch (err) {
    // Two reversals racing: the database's unique index lets one through.
    if ((err as { code?: string }).code === '23505') throw new ConflictError(`Entry #${entry.seq} is already reversed`);
    throw err;
  }
}

export interface EnsureAccountInput {
  readonly organizationId: string;
  readonly account: AccountKey;
  readonly currency: string;
  /** Shown instead of the chart's name, e.g. the subscriber's account number on a wallet. */
  readonly name?: string;
}

/**
 * The account of the standard chart for this purpose, owner and currency, opened on first use; the
 * first account of an organization in a currency opens the rest of its standard chart with it.
 */
export async function ensureAccount(trx: Transaction<DB>, input: EnsureAccountInput): Promise<LedgerAccount> {
  const [account] = await ensureAccounts(trx, [input]);
  return account!;
}

const keyColumns = (input: EnsureAccountInput): repo.AccountKeyColumns => ({
  organizationId: input.organizationId,
  systemKey: input.account.systemKey,
  currency: input.currency,
  ownerType: input.account.owner?.type ?? null,
  ownerId: input.account.owner?.id ?? null,
});
const keyText = (k: repo.AccountKeyColumns) => `${k.organizationId}|${k.systemKey}|${k.currency}|${k.ownerType ?? ''}|${k.ownerId ?? ''}`;

/** Many accounts as ensureAccount opens one, with three statements at most whatever their number; answers them in order. */
export async function ensureAccounts(trx: Transaction<DB>, inputs: readonly EnsureAccountInput[]): Promise<LedgerAccount[]> {
  for (const input of inputs)
    if (!accountTemplate(input.account.systemKey)) throw new UnprocessableError(`"${input.account.systemKey}" is a custom account: create it before posting to it`);
  const keys = inputs.map(keyColumns);
  const distinct = [...new Map(keys.map((k) => [keyText(k), k])).values()];
  const found = new Map((await repo.findAccountsByKeys(trx, distinct)).map((a) => [keyText({ organizationId: a.organization_id, systemKey: a.system_key!, currency: a.currency, ownerType: a.owner_type, ownerId: a.owner_id }), a]));
  const missing = distinct.filter((k) => !found.has(keyText(k)));
  if (missing.length > 0) {
    for (const chart of new Set(missing.map((k) => `${k.organizationId}|${k.currency}`)))
      if (!chartsOpened.has(chart)) await ensureChart(trx, chart.split('|')[0]!, chart.split('|')[1]!);
    const nameOf = new Map(inputs.map((input) => [keyText(keyColumns(input)), input.name]));
    await repo.insertAccounts(
      trx,
      missing.map((k) => {
        const template = accountTemplate(k.systemKey)!;
        return {
          organization_id: k.organizationId,
          code: template.code,
          name: nameOf.get(keyText(k)) ?? template.name,
          type: template.type,
          currency: k.currency,
          system_key: k.systemKey,
          owner_type: k.ownerType,
          owner_id: k.ownerId,
          credit_limit: template.creditLimit,
        };
      }),
    );
    for (const a of await repo.findAccountsByKeys(trx, missing))
      found.set(keyText({ organizationId: a.organization_id, systemKey: a.system_key!, currency: a.currency, ownerType: a.owner_type, ownerId: a.owner_id }), a);
  }
  return keys.map((k) => found.get(keyText(k))!);
}

/**
 * Organizations and currencies whose standard chart this process has seen complete: accounts are
 * never removed, so opening a subscriber's wallet need not try to open the chart again. (Were the
 * transaction that opened it to roll back, a chart account would still open on first use.)
 */
const chartsOpened = new Set<string>();

/** Opens the organization's standard chart in a currency (the accounts it lacks) and answers it. */
export async function ensureChart(trx: Transaction<DB>, organizationId: string, currency: string): Promise<LedgerAccount[]> {
  await repo.insertAccounts(
    trx,
    standardChart.map((systemKey) => {
      const t = accountTemplate(systemKey)!;
      return { organization_id: organizationId, code: t.code, name: t.name, type: t.type, currency, system_key: systemKey, credit_limit: t.creditLimit };
    }),
  );
  const chart = await repo.accountsOfOrganization(trx, organizationId, currency, standardChart);
  if (chart.length === standardChart.length) chartsOpened.add(`${organizationId}|${currency}`);
  return chart;
}

export interface PostEventInput extends Omit<PostEntryInput, 'lines'> {
  readonly lines: readonly PostingLine[];
}

/**
 * Posts the lines of a posting rule (core/ledger.ts), opening the accounts they name on first use.
 * Answers the entry without reading its lines back (a payment posts several entries per callback).
 */
export async function postEvent(trx: Transaction<DB>, clock: Clock, input: PostEventInput): Promise<Omit<PostedEntry, 'lines'>> {
  const [posted] = await postEvents(trx, clock, [input]);
  return posted!;
}

/** Many events as postEvent posts one (a batch of gateway callbacks), with a handful of statements whatever their number. */
export async function postEvents(trx: Transaction<DB>, clock: Clock, inputs: readonly PostEventInput[], opts: PostOptions = {}): Promise<Omit<PostedEntry, 'lines'>[]> {
  const accounts = await ensureAccounts(
    trx,
    inputs.flatMap((input) => input.lines.map((l) => ({ organizationId: input.organizationId, account: l.account, currency: l.amount.currency }))),
  );
  let next = 0;
  return postEntries(
    trx,
    clock,
    inputs.map((input) => ({ ...input, lines: input.lines.map((l) => ({ accountId: accounts[next++]!.id, amount: l.amount })) })),
    opts,
  );
}

/** The account's balance on its normal side (what a wallet holds), as of the last commit. */
export async function balance(db: Db, accountId: string): Promise<Money> {
  const account = await repo.findAccount(db, accountId);
  if (!account) throw new NotFoundError('Ledger account');
  return { minor: naturalBalance(account.type, account.balance), currency: account.currency };
}

export interface TrialBalance {
  readonly organizationId: string;
  readonly currencies: {
    readonly currency: string;
    /** Sum of the debit balances and of the credit balances; equal when the books balance. */
    readonly debit: bigint;
    readonly credit: bigint;
    readonly rows: (repo.TrialBalanceRow & { net: bigint })[];
  }[];
}

export async function trialBalance(db: Db, organizationId: string, currency?: string): Promise<TrialBalance> {
  const rows = await repo.trialBalance(db, organizationId, currency);
  const byCurrency = new Map<string, TrialBalance['currencies'][number] & { debit: bigint; credit: bigint }>();
  for (const r of rows) {
    const net = BigInt(r.balance);
    const c = byCurrency.get(r.currency) ?? { currency: r.currency, debit: 0n, credit: 0n, rows: [] };
    if (net > 0n) c.debit += net;
    else c.credit -= net;
    const name = accountTemplate(r.system_key)?.name ?? r.name;
    c.rows.push({ ...r, name, net });
    byCurrency.set(r.currency, c);
  }
  return { organizationId, currencies: [...byCurrency.values()] };
}

export interface StatementLine extends repo.StatementRow {
  /** Debit-positive balance of the account just after this line. */
  readonly balanceAfter: bigint;
}

/** A page of the account's lines in posting order with the running balance after each. */
export async function statement(db: Db, accountId: string, query: StatementQuery): Promise<{ lines: StatementLine[]; nextCursor: string | null }> {
  const rows = await repo.statementLines(db, accountId, query);
  const p = page(rows, repo.statementSort, query, (r) => r.id, (r) => r.id.toString());
  const first = p.items[0];
  const newestFirst = (query.sort ?? repo.statementSort.default).startsWith('-');
  // One indexed sum for the first line of the page; the rest follow from the amounts on the page.
  let running = first ? await repo.balanceThrough(db, accountId, first.id) : 0n;
  const lines = p.items.map((row, i) => {
    if (i > 0) running = newestFirst ? running - p.items[i - 1]!.amount : running + row.amount;
    return { ...row, balanceAfter: running };
  });
  return { lines, nextCursor: p.nextCursor };
}

/**
 * Which of these owners (subscribers, resellers…) have books here. Accounts never move organization
 * and entries are never removed, so an owner with books may be neither moved nor deleted.
 */
export function ownersWithBooks(db: Db, ownerType: string, ids: readonly string[]) {
  return repo.ownersWithBooks(db, ownerType, ids);
}
