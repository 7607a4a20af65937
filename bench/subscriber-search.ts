/**
 * Subscriber search benchmark: creates N subscribers with set-based SQL (generate_series), each with
 * a phone contact, then times the list/search query the API runs (the same repository function,
 * scoped to the ISP, first page of 50 in the API's order for a search) for name fragments, phones typed in the local
 * form and account numbers. Prints p50/p99 per kind. Target: p99 < 50 ms at 1,000,000 subscribers.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/subscriber-search.ts [--count 1000000]
 *   npx tsx bench/subscriber-search.ts --count 100000          # embedded PGlite, in memory
 *
 * On a server it works in a database of its own, uplink_bench_subscribers, created (and first
 * dropped) next to the one DATABASE_URL names.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'kysely';
import { rootPath } from '../src/core/organizations.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import * as repo from '../src/modules/subscribers/subscribers.repo.ts';
import { subscriberListQuery } from '../src/modules/subscribers/subscribers.schemas.ts';

const { values } = parseArgs({ options: { count: { type: 'string' }, queries: { type: 'string', default: '300' }, reuse: { type: 'boolean', default: false } } });
const serverUrl = process.env.DATABASE_URL;
let count = Number(values.count ?? (serverUrl ? 1_000_000 : 100_000));
const queries = Number(values.queries);
const benchDb = 'uplink_bench_subscribers';

const first = ['Wanjiru', 'Otieno', 'Achieng', 'Kamau', 'Njeri', 'Mwangi', 'Akinyi', 'Kiprono', 'Chebet', 'Mutua', 'Wambui', 'Omondi', 'Nyambura', 'Kipkemboi', 'Atieno', 'Karanja', 'Rahim', 'Fatema', 'Karim', 'Nusrat', 'Tanvir', 'Sadia', 'Rafiq', 'Shirin', 'Habib', 'Jannat', 'Imran', 'Farhana', 'Amina', 'Baraka', 'Zawadi', 'Juma', 'Halima', 'Salim', 'Neema', 'Daudi', 'Grace', 'Peter', 'Mary', 'John'];
const last = ['Kamau', 'Odhiambo', 'Mwangi', 'Otieno', 'Njoroge', 'Wafula', 'Kiplagat', 'Mutiso', 'Ochieng', 'Gathoni', 'Barasa', 'Koech', 'Onyango', 'Macharia', 'Rotich', 'Wekesa', 'Hossain', 'Rahman', 'Islam', 'Ahmed', 'Chowdhury', 'Uddin', 'Akter', 'Begum', 'Sarker', 'Mondal', 'Talukder', 'Miah', 'Bhuiyan', 'Sheikh', 'Mohamed', 'Hassan', 'Abdi', 'Kiprop', 'Langat', 'Cheruiyot', 'Nyaga', 'Muriuki', 'Kariuki', 'Gitau', 'Maina', 'Waweru', 'Owino', 'Okoth', 'Auma', 'Adhiambo', 'Nduta', 'Wairimu', 'Kemunto', 'Moraa', 'Nyaboke', 'Kerubo', 'Bosire', 'Ongeri', 'Momanyi', 'Nyamweya', 'Oduya', 'Were', 'Simiyu', 'Khaemba'];

let url: string | undefined;
// --reuse: time the queries again on the subscribers an earlier run left on the server.
const reuse = values.reuse && !!serverUrl;
if (serverUrl && !reuse) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${benchDb} with (force)`);
  await admin.query(`create database ${benchDb}`);
  await admin.end();
}
if (serverUrl) {
  const u = new URL(serverUrl);
  u.pathname = `/${benchDb}`;
  url = u.toString();
}
const database = await openDatabase({ databaseUrl: url, poolSize: 2 });
if (!reuse) await migrateToLatest(database);
const db = database.kysely;

const orgId = reuse ? (await db.selectFrom('organizations').select('id').executeTakeFirstOrThrow()).id : randomUUID();
if (reuse) count = Number((await db.selectFrom('subscribers').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()).n);
else await load();

async function load(): Promise<void> {
  await db
    .insertInto('organizations')
    .values({ id: orgId, parent_id: null, kind: 'isp', name: 'Bench ISP', path: rootPath(orgId), depth: 0, currency: 'KES', contact_email: null, contact_phone: null, address: null, tax_id: null })
    .execute();


  // Deterministic pseudo-random picks and distinct 8-digit phone tails (a multiplier coprime to 10^8 permutes them).
  const phoneTail = (g: string) => `lpad(((${g}::bigint * 48271) % 100000000)::text, 8, '0')`;
  const build = performance.now();
  await sql.raw('drop index subscribers_search_idx').execute(db);
  const chunk = 100_000;
  for (let from = 1; from <= count; from += chunk) {
    const to = Math.min(count, from + chunk - 1);
    await sql`
      with g as (select i, ${sql.val(first)}::text[] as f, ${sql.val(last)}::text[] as l from generate_series(${from}::int, ${to}::int) i),
      r as (
        select i,
               f[1 + ((i::bigint * 2654435761) % 4294967291) % array_length(f, 1)] || ' ' || l[1 + ((i::bigint * 40503 + 12345) % 65521) % array_length(l, 1)] as name,
               'KIL-' || lpad(i::text, 7, '0') as account_number,
               (20000000 + i)::text as national_id,
               ${sql.raw(phoneTail('i'))} as tail
          from g
      )
      insert into subscribers (organization_id, account_number, kind, name, national_id, status, search_text, created_at, updated_at)
      select ${orgId}::uuid, account_number, 'person', name, national_id, case when i % 10 = 0 then 'suspended' else 'active' end,
             lower(name || ' ' || account_number || ' ' || national_id || ' +2547' || tail || ' 07' || tail),
             timestamptz '2020-01-01' + i * interval '1 minute', now()
        from r`.execute(db);
    process.stdout.write(`\r  ${to} subscribers`);
  }
  await sql`insert into subscriber_contacts (subscriber_id, kind, value, is_primary)
    select id, 'phone', '+2547' || ${sql.raw(phoneTail("substring(account_number from 5)"))}, true from subscribers`.execute(db);
  await sql`insert into subscriber_sequences (organization_id, format, last_number) values (${orgId}, 'KIL-{seq:7}', ${count})`.execute(db);
  await sql.raw('create index subscribers_search_idx on subscribers using gin (search_text gin_trgm_ops)').execute(db);
  await sql.raw('vacuum analyze').execute(db);
  console.log(`\r  ${count} subscribers with phones and indexes in ${((performance.now() - build) / 1000).toFixed(1)} s`);
}

const scope = { orgId, orgPath: rootPath(orgId) };
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
const someNumber = () => 1 + Math.floor(Math.random() * count);
const tailOf = (n: number) => String((BigInt(n) * 48271n) % 100000000n).padStart(8, '0');
const kinds: Record<string, () => string> = {
  'name fragment (e.g. "ochie")': () => {
    const name = pick(last).toLowerCase();
    const start = Math.floor(Math.random() * (name.length - 4));
    return name.slice(start, start + 4 + Math.floor(Math.random() * 2));
  },
  'first and last name': () => {
    const i = BigInt(someNumber());
    return `${first[Number(((i * 2654435761n) % 4294967291n) % BigInt(first.length))]} ${last[Number(((i * 40503n + 12345n) % 65521n) % BigInt(last.length))]}`;
  },
  'phone, local form (07…)': () => `07${tailOf(someNumber())}`,
  'phone, last 6 digits': () => tailOf(someNumber()).slice(2),
  'account number': () => `KIL-${String(someNumber()).padStart(7, '0')}`,
};

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
console.log(`subscriber search on ${database.engine}${url ? ' (server)' : ''}: ${count} subscribers, ${queries} queries per kind, first page of 50 as the API answers it`);
for (const [kind, term] of Object.entries(kinds)) {
  for (let i = 0; i < 20; i++) await repo.list(db, scope, repo.withDefaultSort(subscriberListQuery.parse({ q: term() })));
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < queries; i++) {
    const q = repo.withDefaultSort(subscriberListQuery.parse({ q: term() }));
    const started = performance.now();
    const rows = await repo.list(db, scope, q);
    times.push(performance.now() - started);
    found += rows.length > 0 ? 1 : 0;
  }
  console.log(`  ${kind.padEnd(30)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(times, 99).toFixed(1).padStart(6)} ms   (${found}/${queries} found)`);
}
await database.close();
