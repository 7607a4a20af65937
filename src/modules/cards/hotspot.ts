/**
 * Hotspot voucher logins: a plan card of a hotspot plan is also a login. The first Access-Request
 * whose User-Name is the card's PIN redeems it: a voucher subscriber is made, the card's value
 * pays the plan, and a subscription of that plan starts with the PIN as its login (User-Name and
 * password), so its validity is counted from that first login. Later logins are ordinary logins of
 * that subscription until its paid period ends; the AAA policy then refuses it as expired.
 */
import type { Transaction } from 'kysely';
import { normalisePin } from '../../core/voucher-codes.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Card } from '../../platform/db/schema/cards.ts';
import { AppError } from '../../platform/errors.ts';
import { allocateAccountNumbers } from '../subscribers/subscribers.service.ts';
import * as repo from './cards.repo.ts';
import type { Deps } from './cards.service.ts';
import { pinHash } from './pin-key.ts';
import { redeemCard } from './redeem.ts';

export interface VoucherLogin {
  readonly userName: string;
  /** The NAS's organization: the card must be of the same branch of the tree. */
  readonly nasOrganizationPath: string;
  /** The hotspot client's MAC (Calling-Station-Id): guesses are counted against it. */
  readonly callingStation: string | null;
}

export type VoucherOutcome =
  /** The login name of the voucher's subscription, to authorize as any other. */
  | { readonly kind: 'login'; readonly username: string }
  /** The name is a PIN, but of no card usable here, or guessing is locked: reject with this reason. */
  | { readonly kind: 'refused'; readonly reason: string; readonly message: string }
  | { readonly kind: 'not_a_voucher' };

async function makeSubscriber(trx: Transaction<DB>, card: Card, now: Date): Promise<string> {
  const [accountNumber] = await allocateAccountNumbers(trx, card.organization_id, 1);
  const row = await trx
    .insertInto('subscribers')
    .values({ organization_id: card.organization_id, account_number: accountNumber!, name: `Voucher ${card.serial}`, tags: ['voucher'], custom_fields: '{}', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function voucherLogin(deps: Deps, login: VoucherLogin): Promise<VoucherOutcome> {
  const pin = normalisePin(login.userName);
  if (!pin) return { kind: 'not_a_voucher' };
  // Typed with dashes or in lower case after its first use: the subscription's login is the bare PIN.
  if (pin !== login.userName) {
    const existing = await deps.db.selectFrom('subscriptions').select('username').where('username', '=', pin).where('status', '<>', 'terminated').executeTakeFirst();
    if (existing) return { kind: 'login', username: pin };
  }
  const card = await repo.findByPinHash(deps.db, await pinHash(deps.db, deps.secrets, pin));
  if (!card) return { kind: 'not_a_voucher' };
  const batch = (await repo.findBatch(deps.db, card.batch_id))!;
  const plan = batch.plan_id ? await deps.db.selectFrom('plans').select('service_type').where('id', '=', batch.plan_id).executeTakeFirst() : undefined;
  const org = await deps.db.selectFrom('organizations').select(['id', 'path']).where('id', '=', card.organization_id).executeTakeFirstOrThrow();
  if (plan?.service_type !== 'hotspot') return { kind: 'refused', reason: 'voucher_not_hotspot', message: 'This card is not a hotspot voucher: redeem it in the customer portal' };
  if (!(org.path.startsWith(login.nasOrganizationPath) || login.nasOrganizationPath.startsWith(org.path))) return { kind: 'refused', reason: 'nas_not_allowed', message: 'This voucher is not valid on this network' };
  try {
    await redeemCard(deps, {
      organizationId: org.id,
      organizationPath: org.path,
      pin,
      channel: 'hotspot',
      address: login.callingStation ? `mac:${login.callingStation}` : null,
      userId: null,
      audit: { type: 'system', id: null, label: 'hotspot voucher login', requestId: null, ip: null },
      voucher: { createSubscriber: (trx, c) => makeSubscriber(trx, c, deps.clock.now()), username: pin, password: pin },
    });
    return { kind: 'login', username: pin };
  } catch (err) {
    if (err instanceof AppError) return { kind: 'refused', reason: err.status === 429 ? 'voucher_locked' : 'voucher_refused', message: err.message };
    throw err;
  }
}
