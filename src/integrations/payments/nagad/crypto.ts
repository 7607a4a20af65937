/**
 * Nagad's message protection: the JSON "sensitive data" is RSA-encrypted with PKCS#1 v1.5 padding
 * for the receiver's public key, and signed SHA256withRSA with the sender's private key; both go
 * as base64. Keys arrive from Nagad's merchant portal as bare base64 (X.509 public, PKCS#8
 * private) or as PEM; both are accepted.
 *
 * Node 20 refuses PKCS#1 v1.5 private decryption (CVE-2023-46809, the Marvin timing attack), so
 * it is done here as a raw RSA operation and the padding is checked without branching on secret
 * bytes. The ciphertexts decrypted are Nagad's own answers over TLS, not attacker input, which is
 * what the attack needs.
 */
import { constants, createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject, privateDecrypt, publicEncrypt } from 'node:crypto';

function pem(key: string, kind: 'PUBLIC KEY' | 'PRIVATE KEY'): string {
  const trimmed = key.trim();
  if (trimmed.startsWith('-----BEGIN')) return trimmed;
  const body = trimmed.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`;
}

export function publicKeyOf(key: string): KeyObject {
  return createPublicKey(pem(key, 'PUBLIC KEY'));
}

export function privateKeyOf(key: string): KeyObject {
  return createPrivateKey(pem(key, 'PRIVATE KEY'));
}

/** The key as Nagad's portal shows it: bare base64 DER. */
export function bareBase64(key: KeyObject): string {
  return key.type === 'public'
    ? key.export({ type: 'spki', format: 'der' }).toString('base64')
    : key.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}

export function encryptFor(publicKey: KeyObject, plaintext: string): string {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(plaintext, 'utf8')).toString('base64');
}

export class NagadCryptoError extends Error {}

/** PKCS#1 v1.5 type 2 unpadding over a raw RSA decryption: 00 02 PS(≥ 8 non-zero) 00 M. */
export function decryptWith(privateKey: KeyObject, ciphertext: string): string {
  let block: Buffer;
  try {
    block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, Buffer.from(ciphertext, 'base64'));
  } catch {
    throw new NagadCryptoError('sensitiveData could not be decrypted');
  }
  let separator = 0;
  let found = 0;
  for (let i = 2; i < block.length; i += 1) {
    const isZero = block[i] === 0 ? 1 : 0;
    const first = isZero & (found ^ 1);
    separator = first ? i : separator;
    found |= isZero;
  }
  const ok = block[0] === 0 && block[1] === 2 && found === 1 && separator >= 10;
  if (!ok) throw new NagadCryptoError('sensitiveData has bad padding');
  return block.subarray(separator + 1).toString('utf8');
}

export function sign(privateKey: KeyObject, plaintext: string): string {
  return createSign('RSA-SHA256').update(plaintext, 'utf8').sign(privateKey, 'base64');
}

export function verify(publicKey: KeyObject, plaintext: string, signature: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(plaintext, 'utf8').verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}
