/**
 * Opens the TCP (or TLS) connection both clients use, with a connect timeout and certificate
 * pinning. RouterOS routers mostly present a self-signed certificate, which no CA vouches for: with
 * a pinned SHA-256 fingerprint only that certificate is accepted; without a pin the certificate must
 * verify against the system's CAs, and a failure names the presented fingerprint so it can be pinned.
 * The check runs before a single byte of ours (login, Basic auth) is written to the socket.
 */
import net from 'node:net';
import tls from 'node:tls';
import { RouterCertificateError, RouterConnectionError, RouterTimeoutError, type RouterError } from './errors.ts';
import { DEFAULT_TIMEOUT_MS, type RouterConnectOptions } from './client.ts';

export type ConnectTarget = Pick<RouterConnectOptions, 'host' | 'port' | 'tls' | 'timeoutMs'>;

/** 'AA:BB:…' in upper case, the form Node prints and the form we store. */
export function normalizeFingerprint(text: string): string {
  const hex = text.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/../g)?.join(':') ?? '';
}

export function socketError(err: NodeJS.ErrnoException, target: ConnectTarget): RouterConnectionError {
  const where = `${target.host}:${target.port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new RouterConnectionError(`connection refused by ${where} (is the API service enabled on that port?)`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new RouterConnectionError(`${where} is unreachable`);
    case 'ECONNRESET':
      return new RouterConnectionError(`${where} reset the connection`);
    default:
      return new RouterConnectionError(`cannot talk to ${where}: ${err.message}`);
  }
}

export function openSocket(target: ConnectTarget): Promise<net.Socket> {
  const timeoutMs = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: RouterError | null, socket: net.Socket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('error');
      if (err) {
        socket.on('error', () => undefined);
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const pin = target.tls?.fingerprint ? normalizeFingerprint(target.tls.fingerprint) : null;
    const socket: net.Socket = target.tls
      ? tls.connect({
          host: target.host,
          port: target.port,
          // Verified by hand in secureConnect below, so a pinned self-signed certificate can pass.
          rejectUnauthorized: false,
          ...(net.isIP(target.host) ? {} : { servername: target.host }),
        })
      : net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => finish(new RouterTimeoutError(timeoutMs), socket), timeoutMs);
    socket.once('error', (err) => finish(socketError(err, target), socket));
    if (target.tls) {
      const secure = socket as tls.TLSSocket;
      secure.once('secureConnect', () => {
        const presented = normalizeFingerprint(secure.getPeerCertificate()?.fingerprint256 ?? '');
        if (pin) {
          if (presented === pin) return finish(null, socket);
          return finish(new RouterCertificateError(`the router presented certificate ${presented}, not the pinned ${pin}`, presented), socket);
        }
        if (secure.authorized) return finish(null, socket);
        finish(
          new RouterCertificateError(`the router's certificate is not trusted (${String(secure.authorizationError)}); pin its fingerprint ${presented} to accept it`, presented),
          socket,
        );
      });
    } else socket.once('connect', () => finish(null, socket));
  });
}
