/**
 * Address arithmetic for IPAM, with addresses as bigints (an IPv6 address is 128 bits; a JS number
 * holds 53). Pure: the network module reads subnets, reservations and assignments, and asks here
 * which address or delegated prefix is the next free one, and how full a subnet is.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Address {
  family: Family;
  value: bigint;
}

export interface Cidr {
  family: Family;
  /** The first address of the block (no bits set past the length). */
  base: bigint;
  length: number;
}

/** An inclusive range of addresses of one family. */
export interface Interval {
  first: bigint;
  last: bigint;
}

export const bitsOf = (family: Family): number => (family === 4 ? 32 : 128);

function ipv6Value(text: string): bigint {
  let t = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (dotted) {
    const v = ipv4Value(dotted[1]!);
    t = `${t.slice(0, dotted.index)}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head, tail] = t.includes('::') ? t.split('::') : [t, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : 8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, o) => (acc << 8n) | BigInt(parseInt(o, 10)), 0n);
}

/**
 * The 128-bit value of IPv6 text in any form node accepts, IPv4-mapped addresses kept as IPv6
 * (a delegated prefix is IPv6 whatever its bits say); null for anything else, zoned addresses too.
 */
export function parseIpv6(text: string): bigint | null {
  const t = text.trim();
  return isIPv6(t) && !t.includes('%') ? ipv6Value(t) : null;
}

/**
 * An IPv4 or IPv6 address in any textual form node accepts. An IPv4-mapped IPv6 address
 * (::ffff:192.0.2.1, how a dual-stack socket reports an IPv4 peer) is the IPv4 address.
 */
export function parseAddress(text: string): Address | null {
  const t = text.trim();
  if (isIPv4(t)) return { family: 4, value: ipv4Value(t) };
  if (!isIPv6(t) || t.includes('%')) return null;
  const value = ipv6Value(t);
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

/** Dotted quad, or RFC 5952 text for IPv6 (lower case, the longest run of zero groups as ::). */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString()).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => parseInt(((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16), 16));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** The address as a source address is compared: IPv4-mapped IPv6 folded to IPv4, canonical text. */
export function normaliseAddress(text: string): string | null {
  const a = parseAddress(text);
  return a && formatAddress(a.family, a.value);
}

const hostMask = (family: Family, length: number): bigint => (1n << BigInt(bitsOf(family) - length)) - 1n;

/**
 * A block in cidr notation. `strict` (the default) refuses bits set past the length, as
 * PostgreSQL's cidr type does; a bare address is a /32 or /128.
 */
export function parseCidr(text: string, strict = true): Cidr | null {
  const [addr, len, ...rest] = text.trim().split('/');
  if (rest.length || addr === undefined) return null;
  const a = parseAddress(addr);
  // A mapped IPv6 block is not an IPv4 block: refuse rather than guess its length.
  if (!a || (a.family === 4 && !isIPv4(addr.trim()))) return null;
  const bits = bitsOf(a.family);
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return null;
  const length = len === undefined ? bits : parseInt(len, 10);
  if (length > bits) return null;
  const mask = hostMask(a.family, length);
  if (strict && (a.value & mask) !== 0n) return null;
  return { family: a.family, base: a.value & ~mask, length };
}

export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.family, c.base)}/${c.length}`;
}

export function rangeOf(c: Cidr): Interval {
  return { first: c.base, last: c.base | hostMask(c.family, c.length) };
}

export function size(c: Cidr): bigint {
  return 1n << BigInt(bitsOf(c.family) - c.length);
}

/** True when every address of `inner` is in `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.length < outer.length) return false;
  return (inner.base & ~hostMask(outer.family, outer.length)) === outer.base;
}

export function containsAddress(outer: Cidr, a: Address): boolean {
  return outer.family === a.family && (a.value & ~hostMask(a.family, outer.length)) === outer.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

/**
 * The addresses of a subnet that may be handed to hosts: an IPv4 subnet's network and broadcast
 * addresses are not (except in a /31 point-to-point link or a /32), nor is an IPv6 subnet's
 * all-zeros address, the subnet-router anycast address of RFC 4291 (except in a /127 or /128).
 */
export function hostRange(c: Cidr): Interval {
  const { first, last } = rangeOf(c);
  if (c.family === 4) return c.length <= 30 ? { first: first + 1n, last: last - 1n } : { first, last };
  return c.length <= 126 ? { first: first + 1n, last } : { first, last };
}

/**
 * The first slot of `blockSize` addresses (1 for an address; 2^(bits - length) for a delegated
 * prefix), aligned to its size, that lies in `within` and touches no taken interval; null when
 * there is none. `taken` may be in any order and may overlap.
 */
export function nextFree(within: Interval, taken: readonly Interval[], blockSize = 1n): bigint | null {
  if (blockSize < 1n || within.first > within.last) return null;
  const alignUp = (v: bigint) => ((v + blockSize - 1n) / blockSize) * blockSize;
  const sorted = [...taken].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let candidate = alignUp(within.first);
  for (const t of sorted) {
    if (candidate + blockSize - 1n > within.last) return null;
    if (t.last < candidate) continue;
    if (t.first > candidate + blockSize - 1n) break;
    candidate = alignUp(t.last + 1n);
  }
  return candidate + blockSize - 1n <= within.last ? candidate : null;
}

/** Merges intervals into sorted disjoint ones and counts the addresses they cover inside `within`. */
export function coveredCount(within: Interval, intervals: readonly Interval[]): bigint {
  const clipped = intervals
    .map((i) => ({ first: i.first > within.first ? i.first : within.first, last: i.last < within.last ? i.last : within.last }))
    .filter((i) => i.first <= i.last)
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let total = 0n;
  let end = within.first - 1n;
  for (const i of clipped) {
    const start = i.first > end ? i.first : end + 1n;
    if (i.last >= start) {
      total += i.last - start + 1n;
      end = i.last;
    }
  }
  return total;
}

/** used / capacity as a percentage with one decimal, computed exactly and rounded half up. */
export function percent(used: bigint, capacity: bigint): string {
  if (capacity <= 0n) return '0.0';
  const tenths = (used * 1000n * 2n + capacity) / (capacity * 2n);
  return `${tenths / 10n}.${tenths % 10n}`;
}
