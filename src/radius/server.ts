/**
 * Uplink's RADIUS server: authentication (Access-Request, Status-Server) and accounting
 * (Accounting-Request, Status-Server) on two UDP sockets. It owns the wire; the decisions come from
 * the ClientDirectory, AccessPolicy and AccountingSink it is given (see contract.ts).
 *
 * Choices worth knowing:
 * - Unknown NAS, malformed packet, bad authenticator, bad Message-Authenticator: dropped without a
 *   reply, logged at most once per source every 10 s (RFC 2865 §3 "silently discarded").
 * - An Access-Request without Message-Authenticator from a NAS that requires it is DROPPED, no
 *   Access-Reject: FreeRADIUS 3.2.5's behaviour with require_message_authenticator, and a reply
 *   would give an attacker a Reject to work on (BlastRADIUS).
 * - Every Access-Accept/Reject/Challenge carries Message-Authenticator as its first attribute.
 * - A policy, sink or encoding failure is logged and answered with nothing, so the NAS retries; the
 *   duplicate cache forgets the request so the retry is processed again.
 */
import { type Socket, createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { AccessDecision, AccessPolicy, AccessRequest, AccountingSink, AttributeList, ClientDirectory, RadiusClient } from './contract.ts';
import { checkMessageAuthenticator, verifyRequest } from './authenticators.ts';
import { checkPassword, credentialsOf } from './auth-methods.ts';
import { DuplicateCache, RateLimitedLog } from './dedup.ts';
import { type Dictionary, defaultDictionary } from './dictionary.ts';
import { PacketCode, RadiusDecodeError, type RawPacket, encodePacket, parsePacket } from './packet.ts';
import { decodeAttributes } from './attributes.ts';

/** The subset of pino's Logger the server uses. */
export interface RadiusLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RadiusServerOptions {
  /** Authentication socket: RFC port 1812. `port: 0` picks a free port (tests). Host '::' = IPv6 and IPv4. */
  auth: { port: number; host?: string };
  /** Accounting socket: RFC port 1813. */
  acct: { port: number; host?: string };
  clients: ClientDirectory;
  policy: AccessPolicy;
  accounting: AccountingSink;
  logger: RadiusLogger;
  clock?: { now(): Date };
  dictionary?: Dictionary;
  /** How long a reply is kept for retransmissions (default 5 s, FreeRADIUS's cleanup_delay). */
  duplicateWindowMs?: number;
  /**
   * Socket receive buffer in bytes (default 4 MiB; the kernel caps it at net.core.rmem_max). A NAS
   * sends bursts (hundreds of requests after a reboot); the kernel's 208 KiB default drops them.
   */
  receiveBufferBytes?: number;
}

export interface RadiusServerStats {
  accessRequests: number;
  accepts: number;
  rejects: number;
  accountingRequests: number;
  accountingResponses: number;
  duplicates: number;
  dropped: number;
}

export interface RadiusServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Where the sockets listen (after start). */
  readonly addresses: { auth: AddressInfo; acct: AddressInfo };
  readonly stats: Readonly<RadiusServerStats>;
}

type Kind = 'auth' | 'acct';

const PROXY_STATE = 33;

/** "::ffff:192.0.2.1" (an IPv4 peer on a dual-stack socket) → "192.0.2.1". */
export const normalizeAddress = (address: string) => (address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address);

export function createRadiusServer(options: RadiusServerOptions): RadiusServer {
  const clock = options.clock ?? { now: () => new Date() };
  const dictionary = options.dictionary ?? defaultDictionary();
  const { logger, clients, policy, accounting } = options;
  const duplicates = new DuplicateCache(options.duplicateWindowMs ?? 5_000);
  const dropLog = new RateLimitedLog(10_000);
  const stats: RadiusServerStats = { accessRequests: 0, accepts: 0, rejects: 0, accountingRequests: 0, accountingResponses: 0, duplicates: 0, dropped: 0 };
  const sockets: Partial<Record<Kind, Socket>> = {};
  let sweeper: NodeJS.Timeout | undefined;

  const nowMs = () => clock.now().getTime();

  function drop(reason: string, from: string, detail: object = {}) {
    stats.dropped++;
    const suppressed = dropLog.allow(`${reason}|${from}`, nowMs());
    if (suppressed !== null) logger.warn({ from, suppressed, ...detail }, `radius: dropped packet: ${reason}`);
  }

  function send(kind: Kind, reply: Buffer, address: string, port: number) {
    try {
      sockets[kind]?.send(reply, port, address);
    } catch (err) {
      logger.error({ err, address, port }, 'radius: reply could not be sent');
    }
  }

  /** Copies Proxy-State attributes into the reply unchanged (RFC 2865 §5.33). */
  const proxyStates = (raw: RawPacket): AttributeList => raw.attributes.filter((a) => a.type === PROXY_STATE).map((a) => ['Proxy-State', a.value] as const);

  function statusReply(kind: Kind, client: RadiusClient, raw: RawPacket, from: string, port: number) {
    // RFC 5997 §3: Status-Server must be authenticated by Message-Authenticator; no duplicate cache.
    if (checkMessageAuthenticator(raw.bytes, Buffer.from(client.secret), raw.authenticator) !== 'valid') return drop('Status-Server without a valid Message-Authenticator', from);
    const code = kind === 'auth' ? PacketCode.AccessAccept : PacketCode.AccountingResponse;
    const reply = encodePacket({ code, identifier: raw.identifier, requestAuthenticator: raw.authenticator, secret: client.secret, dictionary, attributes: [], messageAuthenticator: true });
    send(kind, reply, from, port);
  }

  async function accessRequest(client: RadiusClient, raw: RawPacket, address: string, port: number, key: string) {
    stats.accessRequests++;
    const secret = Buffer.from(client.secret);
    // Hidden attributes (User-Password…) are checked here and never handed on, so no module can log them.
    const attributes = decodeAttributes(dictionary, raw.attributes, { secret, requestAuthenticator: raw.authenticator }).filter(
      ([name]) => !dictionary.attribute(name.replace(/:\d+$/, ''))?.encrypt,
    );
    const userName = attributes.find(([n]) => n === 'User-Name')?.[1];
    const credentials = credentialsOf(raw.attributes, raw.authenticator);
    const request: AccessRequest = { client, userName: typeof userName === 'string' ? userName : '', method: credentials.method, attributes };

    let decision: AccessDecision;
    if (typeof userName !== 'string' || userName === '') decision = { kind: 'reject', reason: 'no User-Name' };
    else decision = await policy.authorize(request);

    let accepted = false;
    let reason: string;
    let reply: AttributeList;
    if (decision.kind === 'reject') {
      reason = decision.reason;
      reply = decision.reply ?? [];
    } else {
      const check = checkPassword({ credentials, password: decision.password, userName: request.userName, secret, requestAuthenticator: raw.authenticator });
      accepted = check.ok;
      reason = check.ok ? 'accepted' : check.reason;
      reply = check.ok ? [...decision.reply, ...check.reply] : [...(decision.rejectReply ?? []), ...check.reply];
    }
    const packet = encodePacket({
      code: accepted ? PacketCode.AccessAccept : PacketCode.AccessReject,
      identifier: raw.identifier,
      requestAuthenticator: raw.authenticator,
      secret,
      dictionary,
      attributes: [...reply, ...proxyStates(raw)],
    });
    duplicates.answered(key, packet);
    send('auth', packet, address, port);
    if (accepted) stats.accepts++;
    else stats.rejects++;
    logger.debug({ nas: client.name, userName: request.userName, method: request.method, accepted, reason }, 'radius: access decision');
    try {
      policy.recorded?.({ request, accepted, reason, at: clock.now() });
    } catch (err) {
      logger.error({ err }, 'radius: policy.recorded threw');
    }
  }

  async function accountingRequest(client: RadiusClient, raw: RawPacket, address: string, port: number, key: string) {
    stats.accountingRequests++;
    const secret = Buffer.from(client.secret);
    const attributes = decodeAttributes(dictionary, raw.attributes, { secret, requestAuthenticator: raw.authenticator });
    // Durable first: the NAS retries until it gets the response, so nothing is lost on failure.
    await accounting.record({ client, attributes, receivedAt: clock.now() });
    const packet = encodePacket({
      code: PacketCode.AccountingResponse,
      identifier: raw.identifier,
      requestAuthenticator: raw.authenticator,
      secret,
      dictionary,
      attributes: proxyStates(raw),
    });
    duplicates.answered(key, packet);
    send('acct', packet, address, port);
    stats.accountingResponses++;
  }

  async function onMessage(kind: Kind, data: Buffer, address: string, port: number) {
    const from = normalizeAddress(address);
    let client: RadiusClient | null;
    try {
      client = await clients.byAddress(from);
    } catch (err) {
      logger.error({ err, from }, 'radius: client directory failed');
      return;
    }
    if (!client) return drop('unknown NAS', from);
    let raw: RawPacket;
    try {
      raw = parsePacket(data);
    } catch (err) {
      if (err instanceof RadiusDecodeError) return drop('malformed packet', from, { nas: client.name, error: err.message });
      throw err;
    }
    const secret = Buffer.from(client.secret);

    if (raw.code === PacketCode.StatusServer) return statusReply(kind, client, raw, address, port);
    const expected = kind === 'auth' ? PacketCode.AccessRequest : PacketCode.AccountingRequest;
    if (raw.code !== expected) return drop(`code ${raw.code} not accepted on the ${kind} port`, from, { nas: client.name });

    const signature = checkMessageAuthenticator(raw.bytes, secret, kind === 'auth' ? raw.authenticator : Buffer.alloc(16));
    if (signature === 'invalid') return drop('invalid Message-Authenticator (wrong secret?)', from, { nas: client.name });
    if (kind === 'auth' && signature === 'absent' && client.requireMessageAuthenticator) {
      return drop('Access-Request without the required Message-Authenticator', from, { nas: client.name });
    }
    if (kind === 'acct' && !verifyRequest(raw.bytes, secret)) return drop('invalid Request Authenticator (wrong secret?)', from, { nas: client.name });

    const key = `${kind}|${client.id}|${from}|${port}|${raw.identifier}`;
    const state = duplicates.begin(key, raw.authenticator, nowMs());
    if (state.kind !== 'new') {
      stats.duplicates++;
      if (state.kind === 'answered') send(kind, state.reply, address, port);
      return;
    }
    try {
      if (kind === 'auth') await accessRequest(client, raw, address, port, key);
      else await accountingRequest(client, raw, address, port, key);
    } catch (err) {
      duplicates.forget(key);
      stats.dropped++;
      logger.error({ err, nas: client.name, kind }, 'radius: request failed; no reply so that the NAS retries');
    }
  }

  /** Binds '::' (IPv6 and IPv4) by default; on a host without IPv6, falls back to '0.0.0.0'. */
  async function listen(kind: Kind, port: number, host?: string): Promise<Socket> {
    if (host !== undefined) return bind(kind, port, host);
    try {
      return await bind(kind, port, '::');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT' && (err as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw err;
      logger.warn({ kind }, 'radius: no IPv6 on this host; listening on IPv4 only');
      return bind(kind, port, '0.0.0.0');
    }
  }

  function bind(kind: Kind, port: number, host: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: false, reuseAddr: false });
      socket.once('error', reject);
      socket.on('message', (data, rinfo) => {
        onMessage(kind, data, rinfo.address, rinfo.port).catch((err: unknown) => logger.error({ err }, 'radius: unexpected error'));
      });
      socket.bind(port, host, () => {
        socket.off('error', reject);
        try {
          const wanted = options.receiveBufferBytes ?? 4 * 1024 * 1024;
          socket.setRecvBufferSize(wanted);
          // Linux reports twice what it grants; below what we asked, net.core.rmem_max capped it.
          const granted = socket.getRecvBufferSize() / 2;
          if (granted < wanted) logger.warn({ kind, wanted, granted }, 'radius: receive buffer capped by net.core.rmem_max; raise it or bursts of requests are dropped');
        } catch (err) {
          logger.warn({ err, kind }, 'radius: could not enlarge the receive buffer');
        }
        socket.on('error', (err) => logger.error({ err, kind }, 'radius: socket error'));
        resolve(socket);
      });
    });
  }

  return {
    stats,
    get addresses() {
      if (!sockets.auth || !sockets.acct) throw new Error('the RADIUS server is not started');
      return { auth: sockets.auth.address(), acct: sockets.acct.address() };
    },
    async start() {
      sockets.auth = await listen('auth', options.auth.port, options.auth.host);
      try {
        sockets.acct = await listen('acct', options.acct.port, options.acct.host);
      } catch (err) {
        sockets.auth.close();
        delete sockets.auth;
        throw err;
      }
      sweeper = setInterval(() => duplicates.sweep(nowMs()), 1_000).unref();
      logger.info({ auth: sockets.auth.address(), acct: sockets.acct.address() }, 'radius: listening');
    },
    async stop() {
      clearInterval(sweeper);
      await Promise.all(
        (['auth', 'acct'] as const).map(
          (kind) =>
            new Promise<void>((resolve) => {
              const socket = sockets[kind];
              delete sockets[kind];
              if (socket) socket.close(() => resolve());
              else resolve();
            }),
        ),
      );
    },
  };
}
