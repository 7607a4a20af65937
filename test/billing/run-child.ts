/**
 * A billing run in a process of its own that kills itself (SIGKILL: no rollback, no cleanup, the
 * connection just drops) at a given step of a given chunk. The crash test's real crash.
 *   node --import tsx test/billing/run-child.ts <database url> <run id> <clock instant> <step> <chunk>
 */
import { TestClock } from '../../src/platform/clock.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { executeRun } from '../../src/modules/billing/billing-runs.service.ts';

const [url, runId, at, point, chunk] = process.argv.slice(2) as [string, string, string, string, string];
const database = await openDatabase({ databaseUrl: url, poolSize: 2 });
await executeRun({ db: database.kysely, clock: new TestClock(at) }, runId, {
  chunkSize: 5,
  workers: 2,
  faults: {
    at: (p, n) => {
      if (p === point && n === Number(chunk)) process.kill(process.pid, 'SIGKILL');
    },
  },
});
await database.close();
