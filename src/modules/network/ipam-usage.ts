/**
 * What is taken in a subnet and how full it is, from its rows: the address arithmetic is core/ipam.ts.
 * In a prefix pool the unit is the delegated prefix (a /56 of a /40 is one of 65,536), so every
 * interval is counted in prefixes; in an address pool the unit is the host address.
 */
import { coveredCount, hostRange, parseAddress, parseCidr, percent, rangeOf, type Cidr, type Interval } from '../../core/ipam.ts';
import type { IpPool } from '../../platform/db/schema/ipam.ts';

export interface SubnetFacts {
  cidr: string;
  gateway: string | null;
  reservations: readonly { first: string; last: string }[];
  /** What assignments take, as ranges of host addresses (first and last, inclusive). */
  taken: readonly { first: string; last: string }[];
}

export const blockSizeOf = (pool: Pick<IpPool, 'kind' | 'prefix_length'>): bigint => (pool.kind === 'prefix' ? 1n << BigInt(128 - pool.prefix_length!) : 1n);

/** The addresses (or aligned prefixes) of the subnet that may be handed out. */
export function usableRange(pool: Pick<IpPool, 'kind'>, cidr: Cidr): Interval {
  return pool.kind === 'prefix' ? rangeOf(cidr) : hostRange(cidr);
}

export function reservedIntervals(facts: Pick<SubnetFacts, 'gateway' | 'reservations'>): Interval[] {
  const out: Interval[] = [];
  if (facts.gateway) {
    const g = parseAddress(facts.gateway);
    if (g) out.push({ first: g.value, last: g.value });
  }
  for (const r of facts.reservations) {
    const a = parseAddress(r.first);
    const b = parseAddress(r.last);
    if (a && b) out.push({ first: a.value, last: b.value });
  }
  return out;
}

export function takenIntervals(facts: Pick<SubnetFacts, 'taken'>): Interval[] {
  return facts.taken.flatMap((t) => {
    const a = parseAddress(t.first);
    const b = parseAddress(t.last);
    return a && b ? [{ first: a.value, last: b.value }] : [];
  });
}

export interface Usage {
  total: bigint;
  reserved: bigint;
  used: bigint;
  free: bigint;
}

export function usageOf(pool: Pick<IpPool, 'kind' | 'prefix_length'>, facts: SubnetFacts): Usage {
  const cidr = parseCidr(facts.cidr)!;
  const block = blockSizeOf(pool);
  const range = usableRange(pool, cidr);
  // Counted in units: an interval covers the units (addresses or prefixes) it touches.
  const inUnits = (i: Interval): Interval => ({ first: i.first / block, last: i.last / block });
  const within = inUnits(range);
  const reserved = reservedIntervals(facts).map(inUnits);
  const taken = takenIntervals(facts).map(inUnits);
  const total = within.last - within.first + 1n;
  const reservedCount = coveredCount(within, reserved);
  const busy = coveredCount(within, [...reserved, ...taken]);
  return { total, reserved: reservedCount, used: busy - reservedCount, free: total - busy };
}

export function sumUsage(usages: readonly Usage[]): Usage {
  return usages.reduce((a, u) => ({ total: a.total + u.total, reserved: a.reserved + u.reserved, used: a.used + u.used, free: a.free + u.free }), { total: 0n, reserved: 0n, used: 0n, free: 0n });
}

export function formatUsage(u: Usage) {
  return { total: u.total.toString(), reserved: u.reserved.toString(), used: u.used.toString(), free: u.free.toString(), percent: percent(u.used, u.total - u.reserved) };
}
