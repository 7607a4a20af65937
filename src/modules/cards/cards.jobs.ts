/**
 * Cards past their expiry date leave circulation: unsold ones simply expire; the value of sold
 * ones, owed as unredeemed cards until now, is earned as breakage (one entry per batch a pass).
 */
import { z } from 'zod';
import { cardExpired } from '../../core/ledger.ts';
import type { AppContext } from '../../platform/context.ts';
import type { Card } from '../../platform/db/schema/cards.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { postEvent } from '../ledger/ledger.service.ts';
import * as repo from './cards.repo.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

/** Expires what is due, a thousand cards a transaction; answers how many cards expired. */
export async function expireCards(deps: Deps): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      const cards = await repo.lockExpired(trx, now, 1000);
      const soldByBatch = new Map<string, Card[]>();
      for (const c of cards) if (c.state === 'sold') soldByBatch.set(c.batch_id, [...(soldByBatch.get(c.batch_id) ?? []), c]);
      for (const [batchId, sold] of soldByBatch) {
        const batch = (await repo.findBatch(trx, batchId))!;
        await postEvent(trx, deps.clock, {
          organizationId: batch.organization_id,
          kind: 'card_breakage',
          lines: cardExpired({ faceValue: { minor: batch.face_value * BigInt(sold.length), currency: batch.currency } }),
          idempotencyKey: `card-expiry:${sold[0]!.id}:${sold.length}`,
          memo: `Cards of batch ${batch.number} expired unredeemed (${sold.length})`,
          occurredAt: now,
          createdBy: null,
        });
      }
      await repo.insertEvents(trx, cards.map((c) => ({ card_id: c.id, organization_id: c.organization_id, from_state: c.state, to_state: 'expired' as const, at: now, user_id: null, note: 'expired' })));
      await repo.updateCards(trx, cards.map((c) => c.id), { state: 'expired', pin_enc: null, updated_at: now });
      return cards.length;
    });
    total += done;
    if (done < 1000) return total;
  }
}

export function defineCardJobs(jobs: JobQueue, ctx: AppContext): void {
  jobs.define({
    name: 'cards.expire',
    payload: z.object({}).passthrough(),
    cron: '5 * * * *',
    handler: async () => {
      const expired = await expireCards(ctx);
      if (expired > 0) ctx.logger.info({ expired }, 'recharge cards expired');
    },
  });
}
