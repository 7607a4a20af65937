/**
 * Model-based test: random sequences of ledger operations run against the real ledger and against a
 * plain in-memory model of the books. After every step the trial balance must be zero in every
 * currency, and every account's balance must equal the model's and the sum of its lines.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql, type Kysely, type Transaction } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  type Charge,
  type PostingLine,
  type Settlement,
  type TaxCharged,
  invoiceIssued,
  paymentReceived,
  refundToWallet as refundLines,
  reversalLines,
  walletPaysInvoice,
  walletTopUp,
} from '../../src/core/ledger.ts';
import type { Money } from '../../src/core/money.ts';
import type { TestClock } from '../../src/platform/clock.ts';
import type { DB } from '../../src/platform/db/schema.ts';
import { ConflictError } from '../../src/platform/errors.ts';
import * as repo from '../../src/modules/ledger/ledger.repo.ts';
import { CreditLimitError, postEvent, reverseEntry, trialBalance } from '../../src/modules/ledger/ledger.service.ts';
import { payFromWallet, refundToWallet, setCreditLimit, topUpWallet, type WalletRef } from '../../src/modules/ledger/wallets.service.ts';
import { createTestContext, seedOrganization, seedTree } from '../support/app.ts';
import { engine } from '../support/db.ts';

interface ModelEntry {
  key: string;
  kind: string;
  lines: PostingLine[];
  reversed: boolean;
}

interface Model {
  /** Debit-positive balance per account: systemKey|ownerId|currency. */
  balances: Map<string, bigint>;
  limits: Map<string, bigint>;
  entries: ModelEntry[];
  subscribers: string[];
}

interface Real {
  db: Kysely<DB>;
  clock: TestClock;
  organizationId: string;
  next: () => string;
}

const accountKey = (systemKey: string, ownerId: string | null | undefined, currency: string) => `${systemKey}|${ownerId ?? ''}|${currency}`;
const walletOf = (sub: string) => accountKey('subscriber_wallet', sub, 'KES');
const kes = (minor: bigint): Money => ({ minor, currency: 'KES' });

function apply(model: Model, lines: readonly PostingLine[]): void {
  for (const l of lines) {
    const k = accountKey(l.account.systemKey, l.account.owner?.id, l.amount.currency);
    model.balances.set(k, (model.balances.get(k) ?? 0n) + l.amount.minor);
  }
}

/** The model's answer to "may these lines post?": no spendable balance moves the spending way past its limit. */
function withinLimits(model: Model, lines: readonly PostingLine[]): boolean {
  return lines.every((l) => {
    if (l.account.systemKey !== 'subscriber_wallet') return true;
    const k = accountKey(l.account.systemKey, l.account.owner?.id, l.amount.currency);
    const after = -((model.balances.get(k) ?? 0n) + l.amount.minor);
    return l.amount.minor <= 0n || after >= -(model.limits.get(k) ?? 0n);
  });
}

async function expectSameBooks(model: Model, real: Real): Promise<void> {
  const rows = await real.db
    .selectFrom('ledger_accounts as a')
    .leftJoin('journal_lines as l', 'l.account_id', 'a.id')
    .select(['a.system_key', 'a.owner_id', 'a.currency'])
    // The sum of the account's balance rows (an organization's accounts keep several shards).
    .select(sql<bigint>`(select sum(b.balance) from ledger_balances b where b.account_id = a.id)::bigint`.as('balance'))
    .select(sql<string>`coalesce(sum(l.amount), 0)`.as('from_lines'))
    .where('a.organization_id', '=', real.organizationId)
    .groupBy(['a.id'])
    .execute();
  const actual = new Map(rows.map((r) => [accountKey(r.system_key, r.owner_id, r.currency), r.balance]));
  // The running balance is what the lines add up to.
  for (const r of rows) expect(r.balance, accountKey(r.system_key, r.owner_id, r.currency)).toBe(BigInt(r.from_lines));
  for (const [k, v] of model.balances) expect(actual.get(k) ?? 0n, k).toBe(v);
  for (const [k, v] of actual) expect(model.balances.get(k) ?? 0n, k).toBe(v);
  const tb = await trialBalance(real.db, real.organizationId);
  for (const c of tb.currencies) expect(c.debit, `trial balance in ${c.currency}`).toBe(c.credit);
}

/** Runs the operation; a refusal the model predicted returns its error, anything else fails. */
async function outcome(real: Real, run: (trx: Transaction<DB>) => Promise<unknown>): Promise<Error | null> {
  try {
    await real.db.transaction().execute(run);
    return null;
  } catch (err) {
    if (err instanceof CreditLimitError || err instanceof ConflictError) return err;
    throw err;
  }
}

abstract class Step implements fc.AsyncCommand<Model, Real> {
  check(_model: Readonly<Model>): boolean {
    return true;
  }
  abstract act(model: Model, real: Real): Promise<void>;
  async run(model: Model, real: Real): Promise<void> {
    await this.act(model, real);
    await expectSameBooks(model, real);
  }
}

/** Posts lines the model can predict, recording the entry so it can be reversed or replayed later. */
async function post(model: Model, real: Real, kind: string, lines: PostingLine[], run: (trx: Transaction<DB>, key: string) => Promise<unknown>) {
  const key = real.next();
  const allowed = withinLimits(model, lines);
  const err = await outcome(real, (trx) => run(trx, key));
  if (allowed) {
    expect(err).toBeNull();
    apply(model, lines);
    model.entries.push({ key, kind, lines, reversed: false });
  } else expect(err).toBeInstanceOf(CreditLimitError);
}

class TopUp extends Step {
  constructor(readonly sub: number, readonly amount: bigint, readonly via: Settlement) {
    super();
  }
  act(model: Model, real: Real) {
    const subscriberId = model.subscribers[this.sub]!;
    const wallet: WalletRef = { organizationId: real.organizationId, subscriberId, currency: 'KES' };
    return post(model, real, 'wallet_top_up', walletTopUp({ subscriberId, amount: kes(this.amount), via: this.via }), (trx, key) =>
      topUpWallet(trx, real.clock, wallet, { amount: kes(this.amount), via: this.via, idempotencyKey: key }),
    );
  }
  override toString() {
    return `topUp(${this.sub}, ${this.amount}, ${this.via.kind})`;
  }
}

class Deduct extends Step {
  constructor(readonly sub: number, readonly amount: bigint) {
    super();
  }
  act(model: Model, real: Real) {
    const subscriberId = model.subscribers[this.sub]!;
    const wallet: WalletRef = { organizationId: real.organizationId, subscriberId, currency: 'KES' };
    return post(model, real, 'wallet_deduction', walletPaysInvoice({ subscriberId, amount: kes(this.amount) }), (trx, key) =>
      payFromWallet(trx, real.clock, wallet, { amount: kes(this.amount), idempotencyKey: key }),
    );
  }
  override toString() {
    return `deduct(${this.sub}, ${this.amount})`;
  }
}

class SetLimit extends Step {
  constructor(readonly sub: number, readonly limit: bigint) {
    super();
  }
  async act(model: Model, real: Real) {
    const subscriberId = model.subscribers[this.sub]!;
    await real.db.transaction().execute((trx) => setCreditLimit(trx, { organizationId: real.organizationId, subscriberId, currency: 'KES' }, kes(this.limit)));
    model.limits.set(walletOf(subscriberId), this.limit);
  }
  override toString() {
    return `setLimit(${this.sub}, ${this.limit})`;
  }
}

class Invoice extends Step {
  constructor(readonly sub: number, readonly charges: Charge[], readonly taxes: TaxCharged[], readonly refund: boolean) {
    super();
  }
  act(model: Model, real: Real) {
    const subscriberId = model.subscribers[this.sub]!;
    const event = { subscriberId, charges: this.charges, taxes: this.taxes };
    if (this.refund) {
      const wallet = { organizationId: real.organizationId, subscriberId, currency: 'KES' };
      return post(model, real, 'wallet_refund', refundLines(event), (trx, key) => refundToWallet(trx, real.clock, wallet, { ...event, idempotencyKey: key }));
    }
    const lines = invoiceIssued(event);
    return post(model, real, 'invoice', lines, (trx, key) => postEvent(trx, real.clock, { organizationId: real.organizationId, kind: 'invoice', idempotencyKey: key, lines }));
  }
  override toString() {
    return `${this.refund ? 'refund' : 'invoice'}(${this.sub}, ${this.charges.map((c) => `${c.serviceType}:${c.net.minor}`)}, ${this.taxes.map((t) => `${t.code}:${t.amount.minor}`)})`;
  }
}

class Payment extends Step {
  constructor(readonly sub: number, readonly amount: Money, readonly via: Settlement) {
    super();
  }
  act(model: Model, real: Real) {
    const lines = this.amount.currency === 'KES' ? paymentReceived({ subscriberId: model.subscribers[this.sub]!, amount: this.amount, via: this.via }) : usdAdjustment(this.amount);
    return post(model, real, 'payment', lines, (trx, key) => postEvent(trx, real.clock, { organizationId: real.organizationId, kind: 'payment', idempotencyKey: key, lines }));
  }
  override toString() {
    return `payment(${this.sub}, ${this.amount.minor} ${this.amount.currency})`;
  }
}

/** A second currency in the same books: cash in dollars against opening balances. */
const usdAdjustment = (amount: Money): PostingLine[] => [
  { account: { systemKey: 'cash_on_hand' }, amount },
  { account: { systemKey: 'opening_balance' }, amount: { ...amount, minor: -amount.minor } },
];

class Reverse extends Step {
  constructor(readonly pick: number) {
    super();
  }
  override check(model: Readonly<Model>) {
    return model.entries.length > 0;
  }
  async act(model: Model, real: Real) {
    const target = model.entries[this.pick % model.entries.length]!;
    const lines = reversalLines(target.lines);
    const key = real.next();
    const err = await outcome(real, async (trx) => {
      const [entry] = await repo.findEntriesByKeys(trx, [{ organizationId: real.organizationId, idempotencyKey: target.key }]);
      await reverseEntry(trx, real.clock, entry!, { idempotencyKey: key });
    });
    if (target.reversed) return void expect(err).toBeInstanceOf(ConflictError);
    if (!withinLimits(model, lines)) return void expect(err).toBeInstanceOf(CreditLimitError);
    expect(err).toBeNull();
    apply(model, lines);
    target.reversed = true;
    model.entries.push({ key, kind: 'reversal', lines, reversed: false });
  }
  override toString() {
    return `reverse(${this.pick})`;
  }
}

class Replay extends Step {
  constructor(readonly pick: number, readonly changed: boolean) {
    super();
  }
  override check(model: Readonly<Model>) {
    return model.entries.some((e) => e.kind !== 'reversal');
  }
  async act(model: Model, real: Real) {
    const candidates = model.entries.filter((e) => e.kind !== 'reversal');
    const target = candidates[this.pick % candidates.length]!;
    const lines = this.changed ? target.lines.map((l) => ({ ...l, amount: { ...l.amount, minor: l.amount.minor * 2n } })) : target.lines;
    let replayed = false;
    const err = await outcome(real, async (trx) => {
      replayed = (await postEvent(trx, real.clock, { organizationId: real.organizationId, kind: target.kind, idempotencyKey: target.key, lines })).replayed;
    });
    if (this.changed) expect(err).toBeInstanceOf(ConflictError);
    else expect([err, replayed]).toEqual([null, true]);
  }
  override toString() {
    return `replay(${this.pick}, ${this.changed ? 'other lines' : 'same lines'})`;
  }
}

const sub = fc.integer({ min: 0, max: 2 });
const minor = fc.bigInt({ min: 1n, max: 500n });
const via = fc.oneof(fc.constant<Settlement>({ kind: 'cash' }), fc.constant<Settlement>({ kind: 'gateway', gateway: 'mpesa' }));
const charges = fc.array(fc.record({ serviceType: fc.constantFrom('pppoe', 'hotspot'), net: minor.map(kes) }), { minLength: 1, maxLength: 3 });
const taxes = fc.array(fc.record({ code: fc.constantFrom('VAT', 'EXCISE'), amount: minor.map(kes) }), { maxLength: 2 });

const commands = [
  fc.tuple(sub, minor, via).map(([s, a, v]) => new TopUp(s, a, v)),
  fc.tuple(sub, fc.bigInt({ min: 1n, max: 900n })).map(([s, a]) => new Deduct(s, a)),
  fc.tuple(sub, fc.bigInt({ min: 0n, max: 300n })).map(([s, l]) => new SetLimit(s, l)),
  fc.tuple(sub, charges, taxes, fc.boolean()).map(([s, c, t, r]) => new Invoice(s, c, t, r)),
  fc.tuple(sub, minor, fc.constantFrom('KES', 'USD'), via).map(([s, a, c, v]) => new Payment(s, { minor: a, currency: c }, v)),
  fc.nat().map((p) => new Reverse(p)),
  fc.tuple(fc.nat(), fc.boolean()).map(([p, c]) => new Replay(p, c)),
];

describe(`ledger model (${engine})`, async () => {
  const t = await createTestContext();
  const { isp } = await seedTree(t.ctx);

  it('random operations keep the trial balance at zero and every balance equal to the model’s', async () => {
    let runs = 0;
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'max' }), async (cmds) => {
        runs++;
        steps += [...cmds].length;
        // Fresh books for each sequence: a new reseller organization.
        const org = await seedOrganization(t.ctx, isp, 'reseller');
        let n = 0;
        const setup = () => ({
          model: { balances: new Map(), limits: new Map(), entries: [], subscribers: [randomUUID(), randomUUID(), randomUUID()] } satisfies Model,
          real: { db: t.ctx.db, clock: t.clock, organizationId: org.id, next: () => `op:${++n}` } satisfies Real,
        });
        await fc.asyncModelRun(setup, cmds);
      }),
      { numRuns: 50 },
    );
    expect(await repo.balanceDrift(t.ctx.db)).toEqual([]);
    expect(runs).toBeGreaterThanOrEqual(50);
    expect(steps).toBeGreaterThan(500);
  }, 180_000);
});
