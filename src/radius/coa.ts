/**
 * The CoA / Disconnect client (RFC 5176): sends CoA-Request or Disconnect-Request to a NAS at
 * `client.address:client.coaPort`, signed with the shared secret and a Message-Authenticator,
 * retransmits the same packet on timeout, and accepts only a reply whose identifier, source and
 * Response Authenticator match. Implements ChangeSender from the contract.
 */
import { type Socket, createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { AttributeList, ChangeOutcome, ChangeSender, RadiusClient } from './contract.ts';
import { checkMessageAuthenticator, verifyResponse } from './authenticators.ts';
import { decodeAttributes } from './attributes.ts';
import { type Dictionary, defaultDictionary } from './dictionary.ts';
import { PacketCode, RadiusDecodeError, encodePacket, parsePacket } from './packet.ts';
import type { RadiusLogger } from './server.ts';
import { normalizeAddress } from './server.ts';

export interface ChangeSenderOptions {
  dictionary?: Dictionary;
  logger?: Pick<RadiusLogger, 'warn' | 'debug'>;
  /** Per-attempt wait (default 3 s) and retransmissions after the first attempt (default 2). */
  timeoutMs?: number;
  retries?: number;
}

export interface RadiusChangeSender extends ChangeSender {
  /** Closes the sockets; pending requests end as timeouts. */
  close(): Promise<void>;
}

interface Pending {
  code: number;
  authenticator: Buffer;
  secret: Buffer;
  done(outcome: ChangeOutcome): void;
}

const ACK_FOR: Record<number, number> = { [PacketCode.CoaRequest]: PacketCode.CoaAck, [PacketCode.DisconnectRequest]: PacketCode.DisconnectAck };
const NAK_FOR: Record<number, number> = { [PacketCode.CoaRequest]: PacketCode.CoaNak, [PacketCode.DisconnectRequest]: PacketCode.DisconnectNak };

export function createChangeSender(options: ChangeSenderOptions = {}): RadiusChangeSender {
  const dictionary = options.dictionary ?? defaultDictionary();
  const pending = new Map<string, Pending>();
  const nextId = new Map<string, number>();
  const sockets: Partial<Record<'udp4' | 'udp6', Promise<Socket>>> = {};

  function onReply(data: Buffer, address: string, port: number) {
    let raw;
    try {
      raw = parsePacket(data);
    } catch (err) {
      if (err instanceof RadiusDecodeError) options.logger?.warn({ from: address, error: err.message }, 'radius coa: malformed reply dropped');
      return;
    }
    const key = `${normalizeAddress(address)}|${port}|${raw.identifier}`;
    const request = pending.get(key);
    if (!request) return;
    // A forged or stale reply must not end the exchange: check before accepting.
    if (!verifyResponse(raw.bytes, request.secret, request.authenticator)) {
      options.logger?.warn({ from: address }, 'radius coa: reply with a bad Response Authenticator dropped');
      return;
    }
    if (checkMessageAuthenticator(raw.bytes, request.secret, request.authenticator) === 'invalid') {
      options.logger?.warn({ from: address }, 'radius coa: reply with a bad Message-Authenticator dropped');
      return;
    }
    const attributes = decodeAttributes(dictionary, raw.attributes, { secret: request.secret, requestAuthenticator: request.authenticator });
    if (raw.code === ACK_FOR[request.code]) request.done({ kind: 'ack', attributes });
    else if (raw.code === NAK_FOR[request.code]) {
      const cause = attributes.find(([n]) => n === 'Error-Cause')?.[1];
      request.done({ kind: 'nak', errorCause: typeof cause === 'number' ? cause : null, attributes });
    }
  }

  // The promise is kept (not the socket) so concurrent first sends share one bound socket.
  function socketFor(family: 'udp4' | 'udp6'): Promise<Socket> {
    sockets[family] ??= new Promise((resolve, reject) => {
      const socket = createSocket(family);
      socket.on('message', (data, rinfo) => onReply(data, rinfo.address, rinfo.port));
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        socket.on('error', (err) => options.logger?.warn({ err }, 'radius coa: socket error'));
        resolve(socket);
      });
    });
    return sockets[family];
  }

  function allocateId(destination: string): number {
    const start = nextId.get(destination) ?? Math.floor(Math.random() * 256);
    for (let i = 0; i < 256; i++) {
      const id = (start + i) % 256;
      if (!pending.has(`${destination}|${id}`)) {
        nextId.set(destination, (id + 1) % 256);
        return id;
      }
    }
    throw new Error(`256 requests already outstanding to ${destination}`);
  }

  return {
    async send(client: RadiusClient, kind: 'coa' | 'disconnect', attributes: AttributeList, opts = {}): Promise<ChangeOutcome> {
      const timeoutMs = opts.timeoutMs ?? options.timeoutMs ?? 3_000;
      const retries = opts.retries ?? options.retries ?? 2;
      const code = kind === 'coa' ? PacketCode.CoaRequest : PacketCode.DisconnectRequest;
      const family = isIPv6(client.address) ? 'udp6' : 'udp4';
      const socket = await socketFor(family);
      const destination = `${normalizeAddress(client.address)}|${client.coaPort}`;
      const identifier = allocateId(destination);
      const secret = Buffer.from(client.secret);
      const packet = encodePacket({ code, identifier, attributes, secret, dictionary, messageAuthenticator: true });
      const key = `${destination}|${identifier}`;
      return new Promise<ChangeOutcome>((resolve) => {
        let attempts = 0;
        let timer: NodeJS.Timeout | undefined;
        const transmit = () => {
          attempts++;
          socket.send(packet, client.coaPort, client.address, (err) => {
            if (err) options.logger?.warn({ err, nas: client.name }, 'radius coa: send failed');
          });
          timer = setTimeout(() => (attempts <= retries ? transmit() : finish({ kind: 'timeout' })), timeoutMs);
        };
        const finish = (outcome: ChangeOutcome) => {
          clearTimeout(timer);
          pending.delete(key);
          options.logger?.debug({ nas: client.name, kind, outcome: outcome.kind, attempts }, 'radius coa: done');
          resolve(outcome);
        };
        pending.set(key, { code, authenticator: packet.subarray(4, 20), secret, done: finish });
        transmit();
      });
    },
    async close() {
      for (const request of [...pending.values()]) request.done({ kind: 'timeout' });
      await Promise.all(
        (['udp4', 'udp6'] as const).map(
          (family) =>
            new Promise<void>((resolve) => {
              const socket = sockets[family];
              delete sockets[family];
              if (!socket) return resolve();
              socket.then(
                (s) => s.close(() => resolve()),
                () => resolve(),
              );
            }),
        ),
      );
    },
  };
}
