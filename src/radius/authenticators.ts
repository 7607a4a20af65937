/**
 * The shared-secret cryptography of RADIUS: User-Password hiding (RFC 2865 §5.2), salt
 * encryption of Tunnel-Password and MS-MPPE keys (RFC 2868 §3.5, RFC 2548 §2.4.2), the packet
 * authenticators (RFC 2865 §3, RFC 2866 §3, RFC 5176 §3.5) and Message-Authenticator (RFC 3579
 * §3.2). All comparisons are constant time on raw bytes.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const md5 = (...parts: Buffer[]) => {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

export const MESSAGE_AUTHENTICATOR = 80;
const HEADER = 20;

/** Equal-length constant-time comparison; different lengths are simply unequal. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 2865 §5.2: pads to 16-byte blocks and chains MD5(secret + previous block). */
export function hidePassword(password: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer {
  const length = Math.max(16, Math.ceil(password.length / 16) * 16);
  if (length > 128) throw new RangeError('a hidden password is at most 128 bytes');
  const out = Buffer.alloc(length);
  password.copy(out);
  let previous: Buffer = requestAuthenticator;
  for (let block = 0; block < length; block += 16) {
    const key = md5(secret, previous);
    for (let i = 0; i < 16; i++) out[block + i]! ^= key[i]!;
    previous = out.subarray(block, block + 16);
  }
  return out;
}

/** The reverse of hidePassword; trailing NUL padding is removed. Null when the length is invalid. */
export function unhidePassword(hidden: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer | null {
  if (hidden.length === 0 || hidden.length % 16 !== 0 || hidden.length > 128) return null;
  const out = Buffer.alloc(hidden.length);
  let previous: Buffer = requestAuthenticator;
  for (let block = 0; block < hidden.length; block += 16) {
    const key = md5(secret, previous);
    for (let i = 0; i < 16; i++) out[block + i] = hidden[block + i]! ^ key[i]!;
    previous = hidden.subarray(block, block + 16);
  }
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}

/**
 * RFC 2868 §3.5 / RFC 2548 §2.4.2: a 2-byte salt (high bit set), then the length-prefixed
 * plaintext padded to 16-byte blocks, chained from MD5(secret + authenticator + salt).
 */
export function saltEncrypt(plain: Buffer, secret: Buffer, requestAuthenticator: Buffer, salt = randomBytes(2)): Buffer {
  if (plain.length > 239) throw new RangeError('a salt-encrypted value is at most 239 bytes');
  const s = Buffer.from([salt[0]! | 0x80, salt[1]!]);
  const length = Math.ceil((plain.length + 1) / 16) * 16;
  const body = Buffer.alloc(length);
  body[0] = plain.length;
  plain.copy(body, 1);
  let previous: Buffer = Buffer.concat([requestAuthenticator, s]);
  for (let block = 0; block < length; block += 16) {
    const key = md5(secret, previous);
    for (let i = 0; i < 16; i++) body[block + i]! ^= key[i]!;
    previous = body.subarray(block, block + 16);
  }
  return Buffer.concat([s, body]);
}

export function saltDecrypt(value: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer | null {
  const body = value.subarray(2);
  if (value.length < 18 || body.length % 16 !== 0 || (value[0]! & 0x80) === 0) return null;
  const out = Buffer.alloc(body.length);
  let previous: Buffer = Buffer.concat([requestAuthenticator, value.subarray(0, 2)]);
  for (let block = 0; block < body.length; block += 16) {
    const key = md5(secret, previous);
    for (let i = 0; i < 16; i++) out[block + i] = body[block + i]! ^ key[i]!;
    previous = body.subarray(block, block + 16);
  }
  const length = out[0]!;
  if (length > out.length - 1) return null;
  return out.subarray(1, 1 + length);
}

/** Ascend-Send-Secret style (FreeRADIUS encrypt=3): one block XORed with MD5(authenticator + secret). */
export function ascendHide(plain: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer {
  const key = md5(requestAuthenticator, secret);
  const out = Buffer.alloc(16);
  plain.subarray(0, 16).copy(out);
  for (let i = 0; i < 16; i++) out[i]! ^= key[i]!;
  return out;
}

export function ascendUnhide(hidden: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer | null {
  if (hidden.length !== 16) return null;
  const out = ascendHide(hidden, secret, requestAuthenticator);
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}

/**
 * Where the Message-Authenticator value sits in a raw packet (the offset of its 16 bytes), or
 * -1 when absent, or -2 when present with a wrong length or more than once (a malformed packet).
 */
export function findMessageAuthenticator(packet: Buffer): number {
  let found = -1;
  const length = packet.readUInt16BE(2);
  for (let at = HEADER; at + 2 <= length; ) {
    const attrLength = packet[at + 1]!;
    if (attrLength < 2) return -2;
    if (packet[at] === MESSAGE_AUTHENTICATOR) {
      if (attrLength !== 18 || found !== -1) return -2;
      found = at + 2;
    }
    at += attrLength;
  }
  return found;
}

/** HMAC-MD5 over the packet with the Message-Authenticator zeroed and the given authenticator field. */
function hmacOver(packet: Buffer, valueAt: number, secret: Buffer, authenticatorField: Buffer): Buffer {
  const copy = Buffer.from(packet.subarray(0, packet.readUInt16BE(2)));
  authenticatorField.copy(copy, 4);
  copy.fill(0, valueAt, valueAt + 16);
  return createHmac('md5', secret).update(copy).digest();
}

/**
 * Writes Message-Authenticator into an encoded packet whose attribute is present (value zeroed).
 * For a request the authenticator field is the packet's own (zeroed for Accounting/CoA/Disconnect
 * requests, RFC 5176 §3.3), for a response the request's authenticator (RFC 3579 §3.2).
 */
export function signMessageAuthenticator(packet: Buffer, secret: Buffer, authenticatorField: Buffer) {
  const at = findMessageAuthenticator(packet);
  if (at < 0) throw new Error('the packet has no Message-Authenticator to sign');
  hmacOver(packet, at, secret, authenticatorField).copy(packet, at);
}

/** 'absent', 'valid' or 'invalid' (wrong value, wrong length, or repeated). */
export function checkMessageAuthenticator(packet: Buffer, secret: Buffer, authenticatorField: Buffer): 'absent' | 'valid' | 'invalid' {
  const at = findMessageAuthenticator(packet);
  if (at === -1) return 'absent';
  if (at < 0) return 'invalid';
  const expected = hmacOver(packet, at, secret, authenticatorField);
  return safeEqual(expected, packet.subarray(at, at + 16)) ? 'valid' : 'invalid';
}

/** MD5(code + id + length + authenticator field + attributes + secret) for the given field. */
function authenticatorOver(packet: Buffer, secret: Buffer, authenticatorField: Buffer): Buffer {
  const length = packet.readUInt16BE(2);
  return md5(packet.subarray(0, 4), authenticatorField, packet.subarray(HEADER, length), secret);
}

export const ZERO_AUTHENTICATOR = Buffer.alloc(16);

/** Response Authenticator (RFC 2865 §3) written into an encoded response. */
export function signResponse(packet: Buffer, secret: Buffer, requestAuthenticator: Buffer) {
  authenticatorOver(packet, secret, requestAuthenticator).copy(packet, 4);
}

export function verifyResponse(packet: Buffer, secret: Buffer, requestAuthenticator: Buffer): boolean {
  return safeEqual(authenticatorOver(packet, secret, requestAuthenticator), packet.subarray(4, 20));
}

/** Accounting, CoA and Disconnect Request Authenticator (RFC 2866 §3, RFC 5176 §3.5): over zeros. */
export function signRequest(packet: Buffer, secret: Buffer) {
  authenticatorOver(packet, secret, ZERO_AUTHENTICATOR).copy(packet, 4);
}

export function verifyRequest(packet: Buffer, secret: Buffer): boolean {
  return safeEqual(authenticatorOver(packet, secret, ZERO_AUTHENTICATOR), packet.subarray(4, 20));
}
