/**
 * API benchmark: authenticated reads and audited writes through the whole HTTP stack (routing,
 * session lookup, permission check, tenancy filter, serialization; writes add the transaction and
 * the hash-chained audit entry). Runs in-process with Fastify's inject, so it measures Uplink, not
 * the network. Prints the median of several rounds.
 *
 *   npx tsx bench/api.ts                     # embedded PGlite
 *   DATABASE_URL=postgres://… npx tsx bench/api.ts
 */
import { childPath } from '../src/core/organizations.ts';
import { benchApp, benchOrganization, median } from './support.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const READS = 2000;
const WRITES = 500;
const CONCURRENCY = 16;

const { database, ctx, app, close } = await benchApp({ poolSize: 20 });
const { root, headers } = await benchOrganization(ctx);
for (let i = 0; i < 50; i++) {
  const id = crypto.randomUUID();
  await ctx.db
    .insertInto('organizations')
    .values({ id, parent_id: root.id, kind: 'reseller', name: `Reseller ${i}`, path: childPath(root.path, id), depth: 1, contact_email: null, contact_phone: null, address: null, tax_id: null })
    .execute();
}
async function run(total: number, request: (i: number) => Promise<number>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const status = await request(i);
        if (status >= 300) throw new Error(`request ${i} answered ${status}`);
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const reads: number[] = [];
const writes: number[] = [];
let n = 0;
for (let r = 0; r < ROUNDS; r++) {
  reads.push(await run(READS, async () => (await app.inject({ method: 'GET', url: '/api/organizations?limit=50', headers })).statusCode));
  writes.push(
    await run(WRITES, async () =>
      (await app.inject({ method: 'POST', url: '/api/organizations', headers, payload: JSON.stringify({ kind: 'card_partner', name: `Cards ${n++}`, parentId: root.id }) }))
        .statusCode,
    ),
  );
}
const engine = database.engine === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL server';
console.log(`engine: ${engine}; concurrency ${CONCURRENCY}; ${ROUNDS} rounds`);
console.log(`authenticated list (50 rows):   median ${median(reads).toFixed(0)} req/s  [${reads.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`audited create (tx + audit):    median ${median(writes).toFixed(0)} req/s  [${writes.map((x) => x.toFixed(0)).join(', ')}]`);
await close();
