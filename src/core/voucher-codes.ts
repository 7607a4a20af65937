/**
 * Recharge-card PINs and serial numbers. A PIN is drawn from a CSPRNG over an alphabet with no
 * characters a reader confuses (no 0/O, 1/I/L), so what is scratched off a card can be typed
 * back without doubt; its strength is stated in bits. Serial numbers are printed on the card and
 * are not secret: they name the card for staff, the distributor and the payment record.
 */
import { createHmac, randomInt } from 'node:crypto';

/** 8 digits and 23 letters: no 0, 1, I, L or O. */
export const pinAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** 12 characters of 31: 59.4 bits. */
export const pinLength = 12;

/** The entropy of a PIN of `length` characters drawn uniformly from `alphabet`, in bits. */
export function pinEntropyBits(length = pinLength, alphabet = pinAlphabet): number {
  return length * Math.log2(alphabet.length);
}

/** A fresh PIN: each character an unbiased draw (randomInt rejects the modulo bias) from the alphabet. */
export function generatePin(length = pinLength, draw: (max: number) => number = randomInt): string {
  let pin = '';
  for (let i = 0; i < length; i++) pin += pinAlphabet[draw(pinAlphabet.length)]!;
  return pin;
}

/** The PIN as printed: groups of four separated by dashes (ABCD-EFGH-JKMN). */
export function formatPin(pin: string): string {
  return pin.match(/.{1,4}/g)?.join('-') ?? pin;
}

/**
 * What a person typed, as the PIN it stands for: case, spaces and dashes do not matter. Answers
 * null for text that cannot be a PIN (a character outside the alphabet, the wrong length), so a
 * typo is refused before it reaches the database or counts as a guess.
 */
export function normalisePin(typed: string, length = pinLength): string | null {
  const pin = typed.replace(/[\s-]/g, '').toUpperCase();
  if (pin.length !== length) return null;
  for (const c of pin) if (!pinAlphabet.includes(c)) return null;
  return pin;
}

/** The lookup key of a PIN: HMAC-SHA-256 under the installation's card key, hex. Not reversible without the key. */
export function pinLookupHash(key: Buffer, pin: string): string {
  return createHmac('sha256', key).update(pin, 'utf8').digest('hex');
}

export const serialPrefixPattern = /^[A-Z0-9]{0,8}$/;

/**
 * A card's serial: the batch's prefix and number, then its place in the batch, zero-padded so a
 * sheet sorts as printed: NF7-000123.
 */
export function formatSerial(prefix: string, batchNumber: bigint | number, seq: number): string {
  return `${prefix}${batchNumber}-${String(seq).padStart(6, '0')}`;
}
