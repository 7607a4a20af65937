/** Text ↔ bytes for the address types RADIUS carries (IPv4, IPv6, prefixes, interface ids, MACs). */
import { isIPv4, isIPv6 } from 'node:net';

export function parseIPv4(text: string): Buffer | null {
  if (!isIPv4(text)) return null;
  return Buffer.from(text.split('.').map(Number));
}

export const formatIPv4 = (bytes: Buffer) => `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;

export function parseIPv6(text: string): Buffer | null {
  if (!isIPv6(text) || text.includes('%')) return null;
  let body = text;
  const tail: number[] = [];
  // An embedded IPv4 address ("::ffff:192.0.2.1") fills the last two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (v4) {
    const bytes = parseIPv4(v4[1]!)!;
    tail.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
    body = body.slice(0, -v4[1]!.length);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const [head, rest] = body.split('::') as [string, string | undefined];
  const groups = (part: string) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = groups(head);
  const right = [...groups(rest ?? ''), ...tail];
  const missing = 8 - left.length - right.length;
  const all = rest === undefined ? [...left, ...right] : [...left, ...new Array<number>(missing).fill(0), ...right];
  if (all.length !== 8) return null;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as "::". */
export function formatIPv6(bytes: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** RFC 3162 §2.3 wire form: reserved byte, prefix length, then only the prefix's bytes. */
export function parseIPv6Prefix(text: string): Buffer | null {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) return null;
  const address = parseIPv6(match[1]!);
  const length = Number(match[2]);
  if (!address || length > 128) return null;
  return Buffer.concat([Buffer.from([0, length]), address.subarray(0, Math.ceil(length / 8))]);
}

export function formatIPv6Prefix(value: Buffer): string | null {
  if (value.length < 2 || value.length > 18) return null;
  const length = value[1]!;
  if (length > 128 || value.length - 2 < Math.ceil(length / 8)) return null;
  const address = Buffer.alloc(16);
  value.copy(address, 0, 2);
  // Bits past the prefix length are not part of the prefix (RFC 3162: they must be zero).
  for (let bit = length; bit < 128; bit++) address[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return `${formatIPv6(address)}/${length}`;
}

export function parseInterfaceId(text: string): Buffer | null {
  if (!/^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){3}$/i.test(text)) return null;
  const out = Buffer.alloc(8);
  text.split(':').forEach((g, i) => out.writeUInt16BE(Number.parseInt(g, 16), i * 2));
  return out;
}

export const formatInterfaceId = (bytes: Buffer) =>
  Array.from({ length: 4 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16).padStart(4, '0')).join(':');

export function parseEther(text: string): Buffer | null {
  if (!/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(text)) return null;
  return Buffer.from(text.replace(/[:-]/g, ''), 'hex');
}

export const formatEther = (bytes: Buffer) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
