/**
 * The password checks the server runs against the policy's cleartext password: PAP (RFC 2865
 * §5.2), CHAP (RFC 2865 §5.3, RFC 1994) and MS-CHAPv2 (RFC 2759, RFC 2548) with MPPE keys.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AttributeList, AuthMethod } from './contract.ts';
import type { RawAttribute } from './attributes.ts';
import { safeEqual, unhidePassword } from './authenticators.ts';
import { parseMsChap2Response, verifyMsChap2 } from './mschap.ts';

const USER_PASSWORD = 2;
const CHAP_PASSWORD = 3;
const CHAP_CHALLENGE = 60;
const VENDOR_SPECIFIC = 26;
const MICROSOFT = 311;
const MS_CHAP_CHALLENGE = 11;
const MS_CHAP2_RESPONSE = 25;

/** The credentials an Access-Request carries, taken from the raw attributes (bytes, not text). */
export type Credentials =
  | { method: 'pap'; hidden: Buffer }
  | { method: 'chap'; ident: number; response: Buffer; challenge: Buffer }
  | { method: 'mschapv2'; challenge: Buffer; response: Buffer }
  | { method: null };

function microsoftAttribute(raw: readonly RawAttribute[], type: number): Buffer | undefined {
  for (const attribute of raw) {
    const v = attribute.value;
    if (attribute.type !== VENDOR_SPECIFIC || v.length < 6 || v.readUInt32BE(0) !== MICROSOFT) continue;
    // Microsoft uses the common 1-byte type, 1-byte length format; one sub-attribute per VSA in practice.
    for (let at = 4; at + 2 <= v.length; ) {
      const length = v[at + 1]!;
      if (length < 2 || at + length > v.length) break;
      if (v[at] === type) return v.subarray(at + 2, at + length);
      at += length;
    }
  }
  return undefined;
}

export function credentialsOf(raw: readonly RawAttribute[], requestAuthenticator: Buffer): Credentials {
  const password = raw.find((a) => a.type === USER_PASSWORD);
  if (password) return { method: 'pap', hidden: password.value };
  const chap = raw.find((a) => a.type === CHAP_PASSWORD);
  if (chap && chap.value.length === 17) {
    // Without CHAP-Challenge the Request Authenticator is the challenge (RFC 2865 §2.2).
    const challenge = raw.find((a) => a.type === CHAP_CHALLENGE)?.value ?? requestAuthenticator;
    return { method: 'chap', ident: chap.value[0]!, response: chap.value.subarray(1), challenge };
  }
  const msChallenge = microsoftAttribute(raw, MS_CHAP_CHALLENGE);
  const msResponse = microsoftAttribute(raw, MS_CHAP2_RESPONSE);
  if (msChallenge && msResponse) return { method: 'mschapv2', challenge: msChallenge, response: msResponse };
  return { method: null };
}

export const methodOf = (credentials: Credentials): AuthMethod | null => credentials.method;

/**
 * Constant-time comparison of a PAP password: both sides zero-padded to the 128 bytes User-Password
 * can carry (RFC 2865 §5.2), so the time does not depend on where they differ or on their lengths.
 */
function samePassword(given: Buffer, expected: Buffer): boolean {
  if (given.length > 128 || expected.length > 128) return false;
  const a = Buffer.alloc(128);
  const b = Buffer.alloc(128);
  given.copy(a);
  expected.copy(b);
  return timingSafeEqual(a, b) && given.length === expected.length;
}

export type CheckResult = { ok: true; reply: AttributeList } | { ok: false; reason: string; reply: AttributeList };

/** Checks the credentials against the cleartext password; on success, what the reply must add. */
export function checkPassword(opts: { credentials: Credentials; password: string; userName: string; secret: Buffer; requestAuthenticator: Buffer }): CheckResult {
  const { credentials, password, userName } = opts;
  const expected = Buffer.from(password, 'utf8');
  switch (credentials.method) {
    case 'pap': {
      const given = unhidePassword(credentials.hidden, opts.secret, opts.requestAuthenticator);
      if (given && samePassword(given, expected)) return { ok: true, reply: [] };
      return { ok: false, reason: 'wrong password (PAP)', reply: [] };
    }
    case 'chap': {
      const computed = createHash('md5').update(Buffer.from([credentials.ident])).update(expected).update(credentials.challenge).digest();
      if (safeEqual(computed, credentials.response)) return { ok: true, reply: [] };
      return { ok: false, reason: 'wrong password (CHAP)', reply: [] };
    }
    case 'mschapv2': {
      const response = parseMsChap2Response(credentials.response);
      const verified = response && verifyMsChap2({ userName, password, authenticatorChallenge: credentials.challenge, response });
      if (!verified) {
        // E=691 authentication failure, R=0 no retry, V=3 MS-CHAPv2 (RFC 2759 §6), ident byte first.
        const ident = response?.ident ?? 0;
        const error = Buffer.concat([Buffer.from([ident]), Buffer.from('E=691 R=0 V=3 M=Authentication failed', 'ascii')]);
        return { ok: false, reason: 'wrong password (MS-CHAPv2)', reply: [['MS-CHAP-Error', error]] };
      }
      return {
        ok: true,
        reply: [
          ['MS-CHAP2-Success', verified.success],
          ['MS-MPPE-Recv-Key', verified.recvKey],
          ['MS-MPPE-Send-Key', verified.sendKey],
          // FreeRADIUS's defaults: encryption allowed, 40- or 128-bit RC4.
          ['MS-MPPE-Encryption-Policy', 1],
          ['MS-MPPE-Encryption-Types', 6],
        ],
      };
    }
    case null:
      return { ok: false, reason: 'no supported credentials (PAP, CHAP or MS-CHAPv2) in the request', reply: [] };
  }
}
