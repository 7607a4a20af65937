/**
 * Attribute values by dictionary: raw (type, bytes) pairs ↔ named, decoded values as the contract
 * describes them (text, numbers, bigint for 64-bit, address text, Date, Buffer). Tagged attributes
 * are named "Name:tag" (FreeRADIUS's syntax); attributes missing from the dictionary or malformed
 * for their type are kept as raw octets named "Attr-N" or "Attr-26.vendor.N", so nothing is lost
 * and decoding never throws.
 */
import type { AttributeList, AttributeValue } from './contract.ts';
import * as addr from './addresses.ts';
import { ascendHide, ascendUnhide, hidePassword, saltDecrypt, saltEncrypt, unhidePassword } from './authenticators.ts';
import type { AttributeDefinition, Dictionary, VendorDefinition } from './dictionary.ts';

export interface RawAttribute {
  type: number;
  value: Buffer;
}

/** What hiding needs: the shared secret and the Request Authenticator of the exchange. */
export interface HidingContext {
  secret: Buffer;
  requestAuthenticator: Buffer;
}

export class RadiusEncodeError extends Error {
  override name = 'RadiusEncodeError';
}

const VENDOR_SPECIFIC = 26;
const DEFAULT_FORMAT = { typeSize: 1, lengthSize: 1 } as const;

// ---------------------------------------------------------------------------------------------
// Decoding

function decodeValue(def: AttributeDefinition, bytes: Buffer, hiding: HidingContext | undefined): [string, AttributeValue] | null {
  let value = bytes;
  let tag = 0;
  if (def.hasTag) {
    const integerLike = def.type === 'integer';
    if (integerLike) {
      if (value.length !== 4) return null;
      tag = value[0]!;
      value = Buffer.concat([Buffer.alloc(1), value.subarray(1)]);
    } else if (def.encrypt === 2 || (value.length > 0 && value[0]! <= 0x1f)) {
      // RFC 2868 §3.5: Tunnel-Password always carries its tag byte, even when it is 0.
      if (value.length === 0) return null;
      tag = value[0]!;
      value = value.subarray(1);
    }
  }
  if (def.encrypt !== 0) {
    if (!hiding) return [def.name, value];
    const plain =
      def.encrypt === 1
        ? unhidePassword(value, hiding.secret, hiding.requestAuthenticator)
        : def.encrypt === 2
          ? saltDecrypt(value, hiding.secret, hiding.requestAuthenticator)
          : ascendUnhide(value, hiding.secret, hiding.requestAuthenticator);
    if (!plain) return null;
    value = plain;
  }
  const decoded = decodeTyped(def, value);
  if (decoded === null) return null;
  return [tag > 0 ? `${def.name}:${tag}` : def.name, decoded];
}

function decodeTyped(def: AttributeDefinition, value: Buffer): AttributeValue | null {
  switch (def.type) {
    case 'string':
      return value.toString('utf8');
    case 'octets':
      return Buffer.from(value);
    case 'integer':
      return value.length === 4 ? value.readUInt32BE(0) : null;
    case 'short':
      return value.length === 2 ? value.readUInt16BE(0) : null;
    case 'byte':
      return value.length === 1 ? value[0]! : null;
    case 'signed':
      return value.length === 4 ? value.readInt32BE(0) : null;
    case 'integer64':
      return value.length === 8 ? value.readBigUInt64BE(0) : null;
    case 'date':
      return value.length === 4 ? new Date(value.readUInt32BE(0) * 1000) : null;
    case 'ipaddr':
      return value.length === 4 ? addr.formatIPv4(value) : null;
    case 'ipv6addr':
      return value.length === 16 ? addr.formatIPv6(value) : null;
    case 'combo-ip':
      return value.length === 4 ? addr.formatIPv4(value) : value.length === 16 ? addr.formatIPv6(value) : null;
    case 'ipv6prefix':
      return addr.formatIPv6Prefix(value);
    case 'ifid':
      return value.length === 8 ? addr.formatInterfaceId(value) : null;
    case 'ether':
      return value.length === 6 ? addr.formatEther(value) : null;
  }
}

function splitVendorAttributes(value: Buffer, format: Pick<VendorDefinition, 'typeSize' | 'lengthSize'>): RawAttribute[] | null {
  const out: RawAttribute[] = [];
  const header = format.typeSize + format.lengthSize;
  for (let at = 0; at < value.length; ) {
    if (at + header > value.length) return null;
    const type = format.typeSize === 1 ? value[at]! : format.typeSize === 2 ? value.readUInt16BE(at) : value.readUInt32BE(at);
    let length: number;
    if (format.lengthSize === 0) length = value.length - at;
    else length = format.lengthSize === 1 ? value[at + format.typeSize]! : value.readUInt16BE(at + format.typeSize);
    if (length < header || at + length > value.length) return null;
    out.push({ type, value: value.subarray(at + header, at + length) });
    at += length;
  }
  return out;
}

/** Named attributes in packet order; `concat` attributes (EAP-Message) are joined at the first. */
export function decodeAttributes(dictionary: Dictionary, raw: readonly RawAttribute[], hiding?: HidingContext): Array<[string, AttributeValue]> {
  const out: Array<[string, AttributeValue]> = [];
  const joined = new Map<string, number>();
  const push = (def: AttributeDefinition | undefined, rawName: string, value: Buffer) => {
    if (def?.concat) {
      const index = joined.get(def.name);
      if (index !== undefined) {
        out[index]![1] = Buffer.concat([out[index]![1] as Buffer, value]);
        return;
      }
      joined.set(def.name, out.length);
      out.push([def.name, Buffer.from(value)]);
      return;
    }
    out.push((def && decodeValue(def, value, hiding)) || [rawName, Buffer.from(value)]);
  };
  for (const attribute of raw) {
    if (attribute.type !== VENDOR_SPECIFIC) {
      push(dictionary.attributeByCode(0, attribute.type), `Attr-${attribute.type}`, attribute.value);
      continue;
    }
    const vendorId = attribute.value.length >= 4 ? attribute.value.readUInt32BE(0) : -1;
    const vendor = vendorId >= 0 ? dictionary.vendor(vendorId) : undefined;
    const subs = vendorId >= 0 ? splitVendorAttributes(attribute.value.subarray(4), vendor ?? DEFAULT_FORMAT) : null;
    if (!subs) {
      out.push([`Attr-${VENDOR_SPECIFIC}`, Buffer.from(attribute.value)]);
      continue;
    }
    for (const sub of subs) push(dictionary.attributeByCode(vendorId, sub.type), `Attr-26.${vendorId}.${sub.type}`, sub.value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

function integerOf(def: AttributeDefinition, value: AttributeValue, dictionary: Dictionary, max: number): number {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string') n = /^\d+$/.test(value) ? Number(value) : dictionary.valueNumber(def.name, value);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > max) throw new RadiusEncodeError(`${def.name}: ${String(value)} is not a valid value`);
  return n;
}

function encodeTyped(def: AttributeDefinition, value: AttributeValue, dictionary: Dictionary): Buffer {
  const bad = (): never => {
    throw new RadiusEncodeError(`${def.name}: ${value instanceof Buffer ? `${value.length} bytes` : String(value)} is not a valid ${def.type}`);
  };
  if (value instanceof Buffer && def.type !== 'string' && def.type !== 'octets') return value;
  const text = () => (typeof value === 'string' ? value : bad());
  switch (def.type) {
    case 'string':
    case 'octets':
      return value instanceof Buffer ? value : typeof value === 'string' ? Buffer.from(value, 'utf8') : bad();
    case 'integer': {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(integerOf(def, value, dictionary, 0xffffffff));
      return out;
    }
    case 'short': {
      const out = Buffer.alloc(2);
      out.writeUInt16BE(integerOf(def, value, dictionary, 0xffff));
      return out;
    }
    case 'byte':
      return Buffer.from([integerOf(def, value, dictionary, 0xff)]);
    case 'signed': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) bad();
      const out = Buffer.alloc(4);
      out.writeInt32BE(n);
      return out;
    }
    case 'integer64': {
      let n: bigint;
      try {
        n = BigInt(value as string | number | bigint);
      } catch {
        return bad();
      }
      if (n < 0n || n > 0xffffffffffffffffn) bad();
      const out = Buffer.alloc(8);
      out.writeBigUInt64BE(n);
      return out;
    }
    case 'date': {
      const seconds = value instanceof Date ? Math.floor(value.getTime() / 1000) : typeof value === 'number' ? value : NaN;
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff) bad();
      const out = Buffer.alloc(4);
      out.writeUInt32BE(seconds);
      return out;
    }
    case 'ipaddr':
      return addr.parseIPv4(text()) ?? bad();
    case 'ipv6addr':
      return addr.parseIPv6(text()) ?? bad();
    case 'combo-ip':
      return addr.parseIPv4(text()) ?? addr.parseIPv6(text()) ?? bad();
    case 'ipv6prefix':
      return addr.parseIPv6Prefix(text()) ?? bad();
    case 'ifid':
      return addr.parseInterfaceId(text()) ?? bad();
    case 'ether':
      return addr.parseEther(text()) ?? bad();
  }
}

/** Resolves "Name", "Name:tag", "Attr-N" and "Attr-26.vendor.N" to a definition (or a raw code). */
function resolveName(dictionary: Dictionary, name: string): { def?: AttributeDefinition; vendorId: number; code: number; tag: number } {
  const raw = /^Attr-(?:26\.(\d+)\.)?(\d+)$/.exec(name);
  if (raw) {
    const vendorId = raw[1] === undefined ? 0 : Number(raw[1]);
    const code = Number(raw[2]);
    if (code > 255 || (vendorId === 0 && code < 1)) throw new RadiusEncodeError(`${name}: no such attribute number`);
    return { vendorId, code, tag: 0, def: dictionary.attributeByCode(vendorId, code) };
  }
  const tagged = /^(.+):(\d+)$/.exec(name);
  const def = dictionary.attribute(tagged ? tagged[1]! : name);
  if (!def) throw new RadiusEncodeError(`unknown attribute "${name}"`);
  const tag = tagged ? Number(tagged[2]) : 0;
  if (tag > 0x1f || (tag > 0 && !def.hasTag)) throw new RadiusEncodeError(`${name}: bad tag`);
  return { def, vendorId: def.vendorId, code: def.code, tag };
}

function encodeOne(dictionary: Dictionary, name: string, value: AttributeValue, hiding: HidingContext): { vendorId: number; code: number; bytes: Buffer; concat: boolean } {
  const { def, vendorId, code, tag } = resolveName(dictionary, name);
  // A raw name carries bytes as they are.
  if (!def || /^Attr-/.test(name)) {
    if (!(value instanceof Buffer)) throw new RadiusEncodeError(`${name}: a raw attribute takes bytes`);
    return { vendorId, code, bytes: value, concat: false };
  }
  let bytes = encodeTyped(def, value, dictionary);
  if (def.hasTag && def.type === 'integer') {
    if (bytes[0] !== 0) throw new RadiusEncodeError(`${name}: a tagged integer is at most 24 bits`);
    bytes = Buffer.from(bytes);
    bytes[0] = tag;
  }
  try {
    if (def.encrypt === 1) bytes = hidePassword(bytes, hiding.secret, hiding.requestAuthenticator);
    else if (def.encrypt === 2) bytes = saltEncrypt(bytes, hiding.secret, hiding.requestAuthenticator);
    else if (def.encrypt === 3) bytes = ascendHide(bytes, hiding.secret, hiding.requestAuthenticator);
  } catch (err) {
    throw new RadiusEncodeError(`${name}: ${(err as Error).message}`);
  }
  if (def.hasTag && def.type !== 'integer' && (tag > 0 || def.encrypt === 2)) bytes = Buffer.concat([Buffer.from([tag]), bytes]);
  return { vendorId, code, bytes, concat: def.concat };
}

/** Encodes named attributes to wire attributes; each vendor attribute gets its own Vendor-Specific. */
export function encodeAttributes(dictionary: Dictionary, attributes: AttributeList, hiding: HidingContext): RawAttribute[] {
  const out: RawAttribute[] = [];
  for (const [name, value] of attributes) {
    const { vendorId, code, bytes, concat } = encodeOne(dictionary, name, value, hiding);
    if (vendorId === 0) {
      const pieces = concat ? chunk(bytes, 253) : [bytes];
      if (pieces.some((p) => p.length > 253)) throw new RadiusEncodeError(`${name}: ${bytes.length} bytes do not fit in one attribute`);
      for (const piece of pieces) out.push({ type: code, value: piece });
      continue;
    }
    const format = dictionary.vendor(vendorId) ?? DEFAULT_FORMAT;
    const header = format.typeSize + format.lengthSize;
    const total = header + bytes.length;
    if (4 + total > 253 || (format.lengthSize === 1 && total > 255)) throw new RadiusEncodeError(`${name}: ${bytes.length} bytes do not fit in one attribute`);
    const vsa = Buffer.alloc(4 + total);
    vsa.writeUInt32BE(vendorId, 0);
    if (format.typeSize === 1) vsa[4] = code;
    else if (format.typeSize === 2) vsa.writeUInt16BE(code, 4);
    else vsa.writeUInt32BE(code, 4);
    if (format.lengthSize === 1) vsa[4 + format.typeSize] = total;
    else if (format.lengthSize === 2) vsa.writeUInt16BE(total, 4 + format.typeSize);
    bytes.copy(vsa, 4 + header);
    out.push({ type: VENDOR_SPECIFIC, value: vsa });
  }
  return out;
}

function chunk(bytes: Buffer, size: number): Buffer[] {
  if (bytes.length === 0) return [bytes];
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}
