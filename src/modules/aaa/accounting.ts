/**
 * The AccountingSink: Accounting-Requests become radacct rows, written behind in batches (one
 * statement per batch: what arrived within 2 ms, or while the previous batch was being written) and
 * answered only once their batch has committed. Retransmissions
 * and duplicates land on the same row (acctuniqueid, FreeRADIUS's md5 or Acct-Unique-Session-Id);
 * counters only grow. Accounting-On/Off closes the NAS's open sessions.
 */
import { createHash } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import type { AccountingRequest, AccountingSink, AttributeList, AttributeValue } from '../../radius/contract.ts';
import * as repo from './accounting.repo.ts';
import { WriteBehind } from '../../platform/write-behind.ts';

type Deps = Pick<AppContext, 'db' | 'logger'>;

export type AccountingItem = { kind: 'session'; row: repo.SessionRow } | { kind: 'nas-restart'; nasAddress: string; at: Date; cause: string };

const statusNames: Record<string, number> = { Start: 1, Stop: 2, 'Interim-Update': 3, Alive: 3, 'Accounting-On': 7, 'Accounting-Off': 8 };

function collect(attributes: AttributeList): Map<string, AttributeValue> {
  const m = new Map<string, AttributeValue>();
  for (const [n, v] of attributes) if (!m.has(n)) m.set(n, v);
  return m;
}

const text = (v: AttributeValue | undefined): string | null =>
  v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : v instanceof Date ? v.toISOString() : String(v);

const count = (v: AttributeValue | undefined): bigint => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? BigInt(v) : typeof v === 'bigint' && v >= 0n ? v : 0n);

/** 64-bit octets: the Gigawords attribute counts the 2^32 wraps of the 32-bit counter. */
export function foldOctets(octets: AttributeValue | undefined, gigawords: AttributeValue | undefined): bigint {
  return (count(gigawords) << 32n) + count(octets);
}

/** FreeRADIUS's acct_unique policy: md5 of User-Name, Acct-Session-Id, NAS address, NAS-Identifier, NAS-Port-Id, NAS-Port. */
export function acctUniqueId(a: Map<string, AttributeValue>, nasAddress: string): string {
  const given = text(a.get('Acct-Unique-Session-Id'));
  if (given) return given;
  const parts = [a.get('User-Name'), a.get('Acct-Session-Id'), nasAddress, a.get('NAS-Identifier'), a.get('NAS-Port-Id'), a.get('NAS-Port')].map((v) => text(v) ?? '');
  return createHash('md5').update(parts.join(',')).digest('hex');
}

/** The instant the event happened: Event-Timestamp, else arrival less Acct-Delay-Time. */
function eventTime(a: Map<string, AttributeValue>, receivedAt: Date): Date {
  const stamp = a.get('Event-Timestamp');
  if (stamp instanceof Date && !Number.isNaN(stamp.getTime())) return stamp;
  const delay = a.get('Acct-Delay-Time');
  return typeof delay === 'number' && delay > 0 && delay < 86_400 ? new Date(receivedAt.getTime() - delay * 1000) : receivedAt;
}

const ip = (v: AttributeValue | undefined): string | null => {
  const t = text(v);
  return t && /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(t) ? t : null;
};

/** Reads one Accounting-Request; null when it is not one we record (an unknown status type). */
export function parseAccounting(request: AccountingRequest): AccountingItem | null {
  const a = collect(request.attributes);
  const rawStatus = a.get('Acct-Status-Type');
  const status = typeof rawStatus === 'number' ? rawStatus : statusNames[text(rawStatus) ?? ''];
  const at = eventTime(a, request.receivedAt);
  const nasAddress = ip(a.get('NAS-IP-Address')) ?? ip(a.get('NAS-IPv6-Address')) ?? request.client.address;
  if (status === 7 || status === 8) return { kind: 'nas-restart', nasAddress, at, cause: status === 7 ? 'NAS-Reboot' : 'NAS-Request' };
  if (status !== 1 && status !== 2 && status !== 3) return null;
  const sessionId = text(a.get('Acct-Session-Id'));
  if (!sessionId) return null;
  const userName = text(a.get('User-Name'));
  const seconds = count(a.get('Acct-Session-Time'));
  const stop = status === 2;
  const cls = a.get('Class');
  return {
    kind: 'session',
    row: {
      acctsessionid: sessionId.slice(0, 253),
      acctuniqueid: acctUniqueId(a, nasAddress),
      username: userName,
      realm: userName?.includes('@') ? userName.slice(userName.indexOf('@') + 1) : null,
      nasipaddress: nasAddress,
      nasportid: text(a.get('NAS-Port-Id')),
      nasporttype: text(a.get('NAS-Port-Type')),
      acctstarttime: status === 1 ? at : new Date(at.getTime() - Number(seconds) * 1000),
      acctupdatetime: at,
      acctstoptime: stop ? at : null,
      acctsessiontime: seconds,
      acctauthentic: text(a.get('Acct-Authentic')),
      connectinfo_start: status === 1 ? text(a.get('Connect-Info')) : null,
      connectinfo_stop: stop ? text(a.get('Connect-Info')) : null,
      acctinputoctets: foldOctets(a.get('Acct-Input-Octets'), a.get('Acct-Input-Gigawords')),
      acctoutputoctets: foldOctets(a.get('Acct-Output-Octets'), a.get('Acct-Output-Gigawords')),
      calledstationid: text(a.get('Called-Station-Id')),
      callingstationid: text(a.get('Calling-Station-Id')),
      acctterminatecause: stop ? text(a.get('Acct-Terminate-Cause')) : null,
      servicetype: text(a.get('Service-Type')),
      framedprotocol: text(a.get('Framed-Protocol')),
      framedipaddress: ip(a.get('Framed-IP-Address')),
      framedipv6address: ip(a.get('Framed-IPv6-Address')),
      framedipv6prefix: ip(a.get('Framed-IPv6-Prefix')),
      framedinterfaceid: text(a.get('Framed-Interface-Id')),
      delegatedipv6prefix: ip(a.get('Delegated-IPv6-Prefix')),
      class: cls === undefined ? null : Buffer.isBuffer(cls) ? cls.toString('hex') : text(cls),
      nas_id: request.client.id,
      organization_id: request.client.organizationId,
    },
  };
}

export class AaaAccounting implements AccountingSink {
  readonly #queue: WriteBehind<AccountingItem>;

  constructor(private readonly deps: Deps, opts: { windowMs?: number; maxBatch?: number; maxInFlight?: number } = {}) {
    // One batch in flight: two at once measured slower on two cores (3,464/s against 5,950/s in bench/radius, same machine).
    // A 2 ms window: under load a batch is what arrived while the previous one was written, so a longer window only
    // adds latency (10 ms made each batch of bench/radius's 256 in flight wait 10 ms more: 6,800-9,000/s against 9,700).
    this.#queue = new WriteBehind((items) => repo.writeAccounting(deps.db, items), { windowMs: opts.windowMs ?? 2, maxBatch: opts.maxBatch ?? 2000, maxInFlight: opts.maxInFlight ?? 1 });
  }

  async record(request: AccountingRequest): Promise<void> {
    const item = parseAccounting(request);
    if (!item) {
      this.deps.logger.debug({ nas: request.client.name }, 'accounting request without a session or with a status we do not record');
      return;
    }
    await this.#queue.add(item);
  }

  drain(): Promise<void> {
    return this.#queue.drain();
  }
}
