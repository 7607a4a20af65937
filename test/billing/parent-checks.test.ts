/**
 * Invoices and journal entries name their organization (and an invoice its billing run) without a
 * row-by-row foreign key: the database checks each insert statement's distinct parents at once
 * (migration 20261122T1320). The rules are a foreign key's: a row naming a missing parent is
 * refused, and so is deleting a parent that rows still name, with SQLSTATE 23503.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { seedOrganization, createTestContext } from '../support/app.ts';
import { engine } from '../support/db.ts';

describe(`parent checks per statement (${engine})`, async () => {
  const t = await createTestContext();
  const { db } = t.ctx;
  const org = await seedOrganization(t.ctx, null, 'isp', 'Parents ISP');
  const subscriber = (await sql<{ id: string }>`insert into subscribers (organization_id, account_number, name, status, search_text)
    values (${org.id}, 'PAR-1', 'Parent Test', 'active', 'parent test') returning id`.execute(db)).rows[0]!.id;

  const code = (err: unknown) => (err as { code?: string }).code;
  const refused = async (p: Promise<unknown>) => code(await p.then(() => null, (e: unknown) => e));

  const invoice = (organizationId: string, runId: string | null = null) => sql`
    insert into invoices (organization_id, subscriber_id, status, currency, billing_run_id, created_at, updated_at) values (${organizationId}, ${subscriber}, 'draft', 'KES', ${runId}, now(), now())`.execute(db);
  const entry = (organizationId: string) => sql`
    insert into journal_entries (organization_id, kind, memo, occurred_at, posted_at, idempotency_key) values (${organizationId}, 'manual', 'x', now(), now(), ${randomUUID()})`.execute(db);

  it('refuses an invoice or a journal entry naming an organization or billing run that does not exist', async () => {
    expect(await refused(invoice(randomUUID()))).toBe('23503');
    expect(await refused(invoice(org.id, randomUUID()))).toBe('23503');
    expect(await refused(entry(randomUUID()))).toBe('23503');
    const counts = await sql<{ i: string; e: string }>`select (select count(*) from invoices)::text as i, (select count(*) from journal_entries)::text as e`.execute(db);
    expect(counts.rows[0]).toEqual({ i: '0', e: '0' });
  });

  it('refuses moving an invoice to an organization that does not exist', async () => {
    await invoice(org.id);
    expect(await refused(sql`update invoices set organization_id = ${randomUUID()}`.execute(db))).toBe('23503');
    expect(await refused(sql`update invoices set billing_run_id = ${randomUUID()}`.execute(db))).toBe('23503');
    // An update that leaves the references alone is not checked, and goes through.
    await sql`update invoices set updated_at = now() where organization_id = ${org.id}`.execute(db);
    expect((await sql<{ n: string }>`select count(*)::text as n from invoices where organization_id = ${org.id}`.execute(db)).rows[0]!.n).toBe('1');
  });

  it('refuses deleting an organization or billing run that rows still name, and allows it once they are gone', async () => {
    const run = (await sql<{ id: string }>`insert into billing_runs (organization_id, as_of, dry_run, started_at) values (${org.id}, now(), false, now()) returning id`.execute(db)).rows[0]!.id;
    await invoice(org.id, run);
    expect(await refused(sql`delete from billing_runs where id = ${run}`.execute(db))).toBe('23503');
    const named = await seedOrganization(t.ctx, org, 'reseller', 'Named by an invoice');
    await sql`insert into invoices (organization_id, subscriber_id, status, currency, created_at, updated_at) values (${named.id}, ${subscriber}, 'draft', 'KES', now(), now())`.execute(db);
    expect(await refused(sql`delete from organizations where id = ${named.id}`.execute(db))).toBe('23503');
    await sql`delete from invoices where organization_id = ${named.id}`.execute(db);
    await sql`delete from organizations where id = ${named.id}`.execute(db);
    expect((await sql<{ n: string }>`select count(*)::text as n from organizations where id = ${named.id}`.execute(db)).rows[0]!.n).toBe('0');
    await sql`delete from invoices where billing_run_id = ${run}`.execute(db);
    await sql`delete from billing_runs where id = ${run}`.execute(db);
    expect((await sql<{ n: string }>`select count(*)::text as n from billing_runs where id = ${run}`.execute(db)).rows[0]!.n).toBe('0');
  });
});
