/**
 * What can go wrong talking to a router, as typed errors the service maps to answers. Every failure
 * of a client is one of these (never a bare socket error and never an unhandled rejection).
 */
export type RouterErrorKind = 'connection' | 'timeout' | 'auth' | 'trap' | 'fatal' | 'protocol' | 'certificate';

export class RouterError extends Error {
  constructor(
    readonly kind: RouterErrorKind,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Refused, unreachable, reset, closed, or a TLS handshake that failed. */
export class RouterConnectionError extends RouterError {
  constructor(message: string) {
    super('connection', message);
  }
}

export class RouterTimeoutError extends RouterError {
  constructor(readonly afterMs: number) {
    super('timeout', `the router did not answer within ${afterMs} ms`);
  }
}

/** The router refused the API user name or password. */
export class RouterAuthError extends RouterError {
  constructor(message = 'the router refused the API user name or password') {
    super('auth', message);
  }
}

/**
 * The router refused a command: a binary API `!trap` (with its `=message=` and `=category=`) or a
 * REST 4xx/5xx body `{ error, message, detail }`.
 */
export class RouterTrapError extends RouterError {
  constructor(
    message: string,
    readonly category: number | null = null,
    readonly httpStatus: number | null = null,
  ) {
    super('trap', message);
  }
}

/** `!fatal`: the router closes the connection after it. */
export class RouterFatalError extends RouterError {
  constructor(message: string) {
    super('fatal', message);
  }
}

/** Bytes or a body that do not follow the protocol. */
export class RouterProtocolError extends RouterError {
  constructor(message: string) {
    super('protocol', message);
  }
}

/** The router's TLS certificate is not the one pinned for it (or cannot be verified without a pin). */
export class RouterCertificateError extends RouterError {
  constructor(
    message: string,
    readonly presentedFingerprint: string | null,
  ) {
    super('certificate', message);
  }
}
