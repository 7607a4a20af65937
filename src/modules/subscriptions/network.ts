/**
 * The network identity of a subscription as RADIUS and the routers will use it: the MAC address a
 * line is bound to, a static IPv4 host and IPv6 prefix, and the PPPoE/hotspot password. Each is
 * read in the forms people type and stored in one canonical form, so uniqueness and lookups work.
 */
import { randomInt } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { formatAddress, parseIpv6 } from '../../core/ipam.ts';

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

/**
 * A delegated IPv6 prefix, 2001:DB8:0:100::/56 → 2001:db8:0:100::/56. The length is 16 to 128 and
 * no bit may be set beyond it (as PostgreSQL's cidr type requires). Null otherwise.
 */
export function normaliseIpv6Prefix(text: string): string | null {
  const match = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(text.trim());
  const value = match ? parseIpv6(match[1]!) : null;
  if (!match || value === null) return null;
  const length = Number(match[2]);
  if (length < 16 || length > 128) return null;
  if ((value & ((1n << BigInt(128 - length)) - 1n)) !== 0n) return null;
  return `${formatAddress(6, value)}/${length}`;
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
