/**
 * MS-CHAPv2 (RFC 2759) and its MPPE keys (RFC 3079), server side. Proven with the RFCs' worked
 * examples in test/radius/mschap.test.ts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { desEncryptBlock, expandDesKey } from './des.ts';
import { md4 } from './md4.ts';

const sha1 = (...parts: Buffer[]) => createHash('sha1').update(Buffer.concat(parts)).digest();

const MAGIC1 = Buffer.from('Magic server to client signing constant', 'ascii');
const MAGIC2 = Buffer.from('Pad to make it do more than one iteration', 'ascii');
const MPPE_MAGIC1 = Buffer.from('This is the MPPE Master Key', 'ascii');
const MPPE_MAGIC2 = Buffer.from('On the client side, this is the send key; on the server side, it is the receive key.', 'ascii');
const MPPE_MAGIC3 = Buffer.from('On the client side, this is the receive key; on the server side, it is the send key.', 'ascii');
const SHS_PAD1 = Buffer.alloc(40, 0x00);
const SHS_PAD2 = Buffer.alloc(40, 0xf2);

/** NtPasswordHash: MD4 of the password in UTF-16LE (RFC 2759 §8.3). */
export const ntPasswordHash = (password: string): Buffer => md4(Buffer.from(password, 'utf16le'));

/**
 * ChallengeHash (RFC 2759 §8.2). The user name is the one the peer typed, without a Windows
 * domain ("DOMAIN\user" hashes "user"), as Windows clients compute it.
 */
export function challengeHash(peerChallenge: Buffer, authenticatorChallenge: Buffer, userName: string): Buffer {
  const slash = userName.lastIndexOf('\\');
  const name = slash >= 0 ? userName.slice(slash + 1) : userName;
  return sha1(peerChallenge, authenticatorChallenge, Buffer.from(name, 'utf8')).subarray(0, 8);
}

/** ChallengeResponse (RFC 2759 §8.5): the 8-byte challenge DES-encrypted under three key parts. */
export function challengeResponse(challenge: Buffer, passwordHash: Buffer): Buffer {
  const z = Buffer.concat([passwordHash, Buffer.alloc(5)]);
  return Buffer.concat([0, 7, 14].map((at) => desEncryptBlock(expandDesKey(z.subarray(at, at + 7)), challenge)));
}

export function generateNtResponse(authenticatorChallenge: Buffer, peerChallenge: Buffer, userName: string, password: string): Buffer {
  return challengeResponse(challengeHash(peerChallenge, authenticatorChallenge, userName), ntPasswordHash(password));
}

/** GenerateAuthenticatorResponse (RFC 2759 §8.7): "S=" and 40 upper-case hex digits. */
export function authenticatorResponse(password: string, ntResponse: Buffer, peerChallenge: Buffer, authenticatorChallenge: Buffer, userName: string): string {
  const passwordHashHash = md4(ntPasswordHash(password));
  const digest = sha1(passwordHashHash, ntResponse, MAGIC1);
  const challenge = challengeHash(peerChallenge, authenticatorChallenge, userName);
  return `S=${sha1(digest, challenge, MAGIC2).toString('hex').toUpperCase()}`;
}

/** GetMasterKey (RFC 3079 §3.4). */
export const masterKey = (passwordHashHash: Buffer, ntResponse: Buffer): Buffer =>
  sha1(passwordHashHash, ntResponse, MPPE_MAGIC1).subarray(0, 16);

/** GetAsymmetricStartKey (RFC 3079 §3.4) for a 128-bit key. */
export function asymmetricStartKey(master: Buffer, isSend: boolean, isServer: boolean): Buffer {
  const magic = isSend === isServer ? MPPE_MAGIC3 : MPPE_MAGIC2;
  return sha1(master, SHS_PAD1, magic, SHS_PAD2).subarray(0, 16);
}

/** The parsed MS-CHAP2-Response attribute (RFC 2548 §2.3.2): ident, flags, peer challenge, NT-Response. */
export interface MsChap2Response {
  ident: number;
  peerChallenge: Buffer;
  ntResponse: Buffer;
}

export function parseMsChap2Response(value: Buffer): MsChap2Response | null {
  if (value.length !== 50) return null;
  return { ident: value[0]!, peerChallenge: value.subarray(2, 18), ntResponse: value.subarray(26, 50) };
}

export interface MsChap2Verified {
  /** MS-CHAP2-Success: ident followed by the authenticator response. */
  success: Buffer;
  /** The NAS's keys for MPPE, to send as MS-MPPE-Send-Key and MS-MPPE-Recv-Key. */
  sendKey: Buffer;
  recvKey: Buffer;
}

/**
 * Checks an MS-CHAPv2 response against the cleartext password; null when it does not match.
 * The comparison of the 24-byte NT-Response is constant time.
 */
export function verifyMsChap2(opts: { userName: string; password: string; authenticatorChallenge: Buffer; response: MsChap2Response }): MsChap2Verified | null {
  const { userName, password, authenticatorChallenge, response } = opts;
  if (authenticatorChallenge.length !== 16) return null;
  const expected = generateNtResponse(authenticatorChallenge, response.peerChallenge, userName, password);
  if (!timingSafeEqual(expected, response.ntResponse)) return null;
  const auth = authenticatorResponse(password, response.ntResponse, response.peerChallenge, authenticatorChallenge, userName);
  const master = masterKey(md4(ntPasswordHash(password)), response.ntResponse);
  return {
    success: Buffer.concat([Buffer.from([response.ident]), Buffer.from(auth, 'ascii')]),
    sendKey: asymmetricStartKey(master, true, true),
    recvKey: asymmetricStartKey(master, false, true),
  };
}
