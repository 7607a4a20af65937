/**
 * The network identity of a subscription as RADIUS and the routers will use it: the MAC address a
 * line is bound to, a static IPv4 host and IPv6 prefix, and the PPPoE/hotspot password. Each is
 * read in the forms people type and stored in one canonical form, so uniqueness and lookups work.
 */
import { randomInt } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff (Cisco) or aabbccddeeff → AA:BB:CC:DD:EE:FF.
 * Null when it is not one, or not a device's own address (all zeros, broadcast or multicast).
 */
export function normaliseMac(text: string): string | null {
  const t = text.trim();
  const forms = [/^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i, /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i, /^([0-9a-f]{12})$/i];
  if (!forms.some((f) => f.test(t))) return null;
  const hex = t.replace(/[:.-]/g, '').toUpperCase();
  const octets = hex.match(/../g)!;
  // The lowest bit of the first octet marks a group (multicast) address, which no client has.
  if ((parseInt(octets[0]!, 16) & 1) === 1 || /^0+$/.test(hex)) return null;
  return octets.join(':');
}

/**
 * A public or private host address (192.0.2.10 or 192.0.2.10/32) → 192.0.2.10; null for anything
 * else, including this-network 0/8, loopback 127/8 and the multicast and reserved blocks from 224.
 */
export function normaliseIpv4Host(text: string): string | null {
  const t = text.trim().replace(/\/32$/, '');
  if (!isIPv4(t)) return null;
  const first = Number(t.split('.')[0]);
  if (first === 0 || first === 127 || first >= 224) return null;
  return t;
}

/** The eight 16-bit groups of an IPv6 address (node's isIPv6 has already accepted it). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => parseInt(g, 16));
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as ::. */
function formatIpv6(groups: readonly number[]): string {
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

/**
 * A delegated IPv6 prefix, 2001:DB8:0:100::/56 → 2001:db8:0:100::/56. The length is 16 to 128 and
 * no bit may be set beyond it (as PostgreSQL's cidr type requires). Null otherwise.
 */
export function normaliseIpv6Prefix(text: string): string | null {
  const match = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match || !isIPv6(match[1]!)) return null;
  const length = Number(match[2]);
  if (length < 16 || length > 128) return null;
  const groups = ipv6Groups(match[1]!);
  for (let i = 0; i < 8; i++) {
    const kept = Math.min(16, Math.max(0, length - i * 16));
    if ((groups[i]! & (0xffff >> kept)) !== 0) return null;
  }
  return `${formatIpv6(groups)}/${length}`;
}

/** What a router accepts as a PPPoE or hotspot user name (the database checks the same). */
export const usernamePattern = /^[A-Za-z0-9@._:+-]{1,64}$/;

/** Printable ASCII without spaces: what every NAS and every RADIUS authentication method carries. */
export const passwordPattern = /^[\x21-\x7e]{6,64}$/;

// No 0/O, 1/l/I: the password is read out over the phone and typed into a router.
const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 16 characters from a 57-letter alphabet: about 93 bits, from the operating system's random source. */
export function generatePassword(length = 16): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}
