/**
 * RADIUS packets on the wire (RFC 2865 §3): parsing with strict bounds checks, and encoding
 * with the right authenticator for each code. Message-Authenticator is always written as the
 * FIRST attribute when present (the BlastRADIUS mitigation asks it of Access-Accept, -Reject and
 * -Challenge; putting it first everywhere costs nothing).
 */
import { randomBytes } from 'node:crypto';
import type { AttributeList, AttributeValue } from './contract.ts';
import { MESSAGE_AUTHENTICATOR, ZERO_AUTHENTICATOR, signMessageAuthenticator, signRequest, signResponse } from './authenticators.ts';
import { type HidingContext, type RawAttribute, RadiusEncodeError, decodeAttributes, encodeAttributes } from './attributes.ts';
import { type Dictionary, defaultDictionary } from './dictionary.ts';

export const PacketCode = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  StatusClient: 13,
  DisconnectRequest: 40,
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoaRequest: 43,
  CoaAck: 44,
  CoaNak: 45,
} as const;
export type PacketCode = (typeof PacketCode)[keyof typeof PacketCode];

const KNOWN_CODES = new Set<number>(Object.values(PacketCode));
/** Replies: their authenticator is computed over the request's authenticator. */
const RESPONSES = new Set<number>([2, 3, 5, 11, 41, 42, 44, 45]);
/** Requests whose authenticator is an MD5 over the packet with a zeroed field (RFC 2866, 5176). */
const SIGNED_REQUESTS = new Set<number>([4, 40, 43]);

export const MIN_PACKET = 20;
export const MAX_PACKET = 4096;

/** A packet that is not valid RADIUS. The only error the decoder throws. */
export class RadiusDecodeError extends Error {
  override name = 'RadiusDecodeError';
}

export interface RawPacket {
  code: number;
  identifier: number;
  authenticator: Buffer;
  attributes: RawAttribute[];
  /** The packet's bytes up to its Length field (datagram padding beyond it is dropped, RFC 2865 §3). */
  bytes: Buffer;
}

/** Splits a datagram into header and attributes; throws RadiusDecodeError on anything malformed. */
export function parsePacket(data: Buffer): RawPacket {
  if (data.length < MIN_PACKET) throw new RadiusDecodeError(`packet of ${data.length} bytes is shorter than a header`);
  const code = data[0]!;
  if (!KNOWN_CODES.has(code)) throw new RadiusDecodeError(`unknown packet code ${code}`);
  const length = data.readUInt16BE(2);
  if (length < MIN_PACKET || length > MAX_PACKET) throw new RadiusDecodeError(`length field ${length} out of range`);
  if (length > data.length) throw new RadiusDecodeError(`length field ${length} exceeds the ${data.length} bytes received`);
  const bytes = data.subarray(0, length);
  const attributes: RawAttribute[] = [];
  for (let at = MIN_PACKET; at < length; ) {
    if (at + 2 > length) throw new RadiusDecodeError(`truncated attribute header at offset ${at}`);
    const attrLength = bytes[at + 1]!;
    if (attrLength < 2) throw new RadiusDecodeError(`attribute ${bytes[at]} at offset ${at} has length ${attrLength}`);
    if (at + attrLength > length) throw new RadiusDecodeError(`attribute ${bytes[at]} at offset ${at} overruns the packet`);
    attributes.push({ type: bytes[at]!, value: bytes.subarray(at + 2, at + attrLength) });
    at += attrLength;
  }
  return { code, identifier: data[1]!, authenticator: bytes.subarray(4, 20), attributes, bytes };
}

export interface RadiusPacket {
  code: number;
  identifier: number;
  authenticator: Buffer;
  attributes: Array<[string, AttributeValue]>;
  raw: RawPacket;
}

export interface DecodeOptions {
  dictionary?: Dictionary;
  /** With the secret, hidden attributes (User-Password, Tunnel-Password, MPPE keys) are revealed. */
  secret?: string | Buffer;
  /** For a response: the authenticator of the request it answers (hiding is keyed on it). */
  requestAuthenticator?: Buffer;
}

/** Parses and decodes a packet. Throws RadiusDecodeError and nothing else. */
export function decodePacket(data: Buffer, opts: DecodeOptions = {}): RadiusPacket {
  const raw = parsePacket(data);
  let attributes: Array<[string, AttributeValue]>;
  try {
    const hiding = opts.secret === undefined ? undefined : { secret: Buffer.from(opts.secret), requestAuthenticator: opts.requestAuthenticator ?? raw.authenticator };
    attributes = decodeAttributes(opts.dictionary ?? defaultDictionary(), raw.attributes, hiding);
  } catch (err) {
    // decodeAttributes is written not to throw; this keeps the promise should a bug slip in.
    throw new RadiusDecodeError(`attributes could not be decoded: ${(err as Error).message}`);
  }
  return { code: raw.code, identifier: raw.identifier, authenticator: raw.authenticator, attributes, raw };
}

export interface EncodeOptions {
  code: number;
  identifier: number;
  attributes: AttributeList;
  secret: string | Buffer;
  dictionary?: Dictionary;
  /** Required for a response: the authenticator of the request being answered. */
  requestAuthenticator?: Buffer;
  /** Access-Request / Status-Server authenticator; random when absent. */
  authenticator?: Buffer;
  /**
   * Add Message-Authenticator (first). Always on for Access-Accept/Reject/Challenge and
   * Status-Server; by default on for Access-Request, CoA and Disconnect, off for accounting.
   */
  messageAuthenticator?: boolean;
}

const ALWAYS_SIGNED = new Set<number>([2, 3, 11, 12]);
const SIGNED_BY_DEFAULT = new Set<number>([1, 13, 40, 41, 42, 43, 44, 45]);

/** Encodes a packet; throws RadiusEncodeError for attributes that cannot be encoded. */
export function encodePacket(opts: EncodeOptions): Buffer {
  const secret = Buffer.from(opts.secret);
  const { code } = opts;
  const isResponse = RESPONSES.has(code);
  if (isResponse && opts.requestAuthenticator?.length !== 16) throw new RadiusEncodeError('a response needs the 16-byte request authenticator');
  if (!Number.isInteger(opts.identifier) || opts.identifier < 0 || opts.identifier > 255) throw new RadiusEncodeError('identifier must be 0-255');
  const ownAuthenticator = isResponse || SIGNED_REQUESTS.has(code) ? ZERO_AUTHENTICATOR : (opts.authenticator ?? randomBytes(16));
  const hiding: HidingContext = { secret, requestAuthenticator: isResponse ? opts.requestAuthenticator! : ownAuthenticator };
  const withMessageAuthenticator = ALWAYS_SIGNED.has(code) || (opts.messageAuthenticator ?? SIGNED_BY_DEFAULT.has(code));
  const given = opts.attributes.filter(([name]) => name !== 'Message-Authenticator');
  const attributes = encodeAttributes(opts.dictionary ?? defaultDictionary(), given, hiding);
  if (withMessageAuthenticator) attributes.unshift({ type: MESSAGE_AUTHENTICATOR, value: Buffer.alloc(16) });

  const length = MIN_PACKET + attributes.reduce((sum, a) => sum + 2 + a.value.length, 0);
  if (length > MAX_PACKET) throw new RadiusEncodeError(`packet of ${length} bytes exceeds ${MAX_PACKET}`);
  const packet = Buffer.alloc(length);
  packet[0] = code;
  packet[1] = opts.identifier;
  packet.writeUInt16BE(length, 2);
  ownAuthenticator.copy(packet, 4);
  let at = MIN_PACKET;
  for (const attribute of attributes) {
    packet[at] = attribute.type;
    packet[at + 1] = attribute.value.length + 2;
    attribute.value.copy(packet, at + 2);
    at += attribute.value.length + 2;
  }
  if (withMessageAuthenticator) signMessageAuthenticator(packet, secret, isResponse ? opts.requestAuthenticator! : ownAuthenticator);
  if (isResponse) signResponse(packet, secret, opts.requestAuthenticator!);
  else if (SIGNED_REQUESTS.has(code)) signRequest(packet, secret);
  return packet;
}

/** The first value of an attribute, or undefined. */
export function attributeValue(attributes: AttributeList, name: string): AttributeValue | undefined {
  return attributes.find(([n]) => n === name)?.[1];
}
