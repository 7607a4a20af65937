/**
 * The RouterOS REST API client (v7.1+; HTTPS, or plain HTTP from 7.9), Basic auth. Menu paths map
 * to URLs under /rest: GET = print, PUT = add, PATCH = set, DELETE = remove, POST = any command.
 * RouterOS answers errors with `{ error, message, detail }`; those become RouterTrapError (401 is
 * RouterAuthError). Each request opens its own connection through openSocket, so the certificate
 * is checked (or its pin compared) before the Authorization header leaves this process.
 */
import http from 'node:http';
import { DEFAULT_TIMEOUT_MS, maskWord, type PrintOptions, type RouterClient, type RouterConnectOptions, type RouterRow } from './client.ts';
import { RouterAuthError, RouterConnectionError, RouterError, RouterProtocolError, RouterTimeoutError, RouterTrapError } from './errors.ts';
import { openSocket } from './socket.ts';

/** Answers larger than this are refused (an export of a big router is a few hundred kilobytes). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** `*1A` → `*1A`: ids go into the URL as they are, other path parts are escaped. */
const itemUrl = (path: string, id: string) => `${path}/${encodeURIComponent(id).replace(/%2A/g, '*')}`;

function asRows(body: unknown): RouterRow[] {
  if (body == null || body === '') return [];
  const list = Array.isArray(body) ? body : [body];
  return list.map((item) => {
    if (typeof item !== 'object' || item === null) throw new RouterProtocolError('the router answered rows that are not objects');
    return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  });
}

export class RestClient implements RouterClient {
  readonly protocol = 'rest' as const;
  readonly #options: RouterConnectOptions;
  readonly #authorization: string;

  constructor(options: RouterConnectOptions) {
    this.#options = options;
    this.#authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  }

  /** REST has no session: "connecting" is a cheap authenticated read, so bad credentials show at once. */
  static async connect(options: RouterConnectOptions): Promise<RestClient> {
    const client = new RestClient(options);
    await client.print('/system/identity');
    return client;
  }

  async print(path: string, options: PrintOptions = {}): Promise<RouterRow[]> {
    const query = new URLSearchParams(options.where ?? {});
    if (options.proplist) query.set('.proplist', options.proplist.join(','));
    const qs = query.toString();
    return asRows(await this.#request('GET', qs ? `${path}?${qs}` : path));
  }

  async add(path: string, props: Record<string, string>): Promise<string> {
    const [row] = asRows(await this.#request('PUT', path, props));
    const id = row?.['.id'];
    if (!id) throw new RouterProtocolError(`PUT ${path} answered without the new item's .id`);
    return id;
  }

  async set(path: string, id: string, props: Record<string, string>): Promise<void> {
    await this.#request('PATCH', itemUrl(path, id), props);
  }

  async remove(path: string, id: string): Promise<void> {
    await this.#request('DELETE', itemUrl(path, id));
  }

  async run(path: string, args: Record<string, string> = {}): Promise<{ rows: RouterRow[]; ret: string | null }> {
    const body = await this.#request('POST', path, args);
    if (body && typeof body === 'object' && !Array.isArray(body) && typeof (body as { ret?: unknown }).ret === 'string')
      return { rows: [], ret: (body as { ret: string }).ret };
    return { rows: asRows(body), ret: null };
  }

  async close(): Promise<void> {}

  async #request(method: string, path: string, body?: Record<string, string>): Promise<unknown> {
    const started = performance.now();
    const command = [method, `/rest${path}`, ...Object.entries(body ?? {}).map(([k, v]) => maskWord(`${k}=${v}`))].join(' ');
    try {
      const result = await this.#exchange(method, `/rest${path}`, body);
      this.#record(command, 'ok', null, started);
      return result;
    } catch (err) {
      const e = err instanceof RouterError ? err : new RouterConnectionError(String(err));
      this.#record(command, e instanceof RouterTrapError ? 'trap' : 'error', e.message, started);
      throw e;
    }
  }

  #record(command: string, outcome: 'ok' | 'trap' | 'error', message: string | null, started: number): void {
    try {
      this.#options.observer?.({ command, outcome, message, durationMs: Math.round(performance.now() - started) });
    } catch {
      // The log is a witness, never a reason for a command to fail.
    }
  }

  async #exchange(method: string, url: string, body?: Record<string, string>): Promise<unknown> {
    const socket = await openSocket(this.#options);
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => req.destroy(new RouterTimeoutError(timeoutMs)), timeoutMs);
      const req = http.request({
        method,
        path: url,
        host: this.#options.host,
        port: this.#options.port,
        createConnection: () => socket,
        headers: {
          authorization: this.#authorization,
          accept: 'application/json',
          connection: 'close',
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err instanceof RouterError ? err : new RouterConnectionError(`the router dropped the request: ${err.message}`));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) req.destroy(new RouterProtocolError(`the answer is over ${MAX_BODY_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          if (text.trim()) {
            try {
              json = JSON.parse(text);
            } catch {
              if ((res.statusCode ?? 0) < 400) return reject(new RouterProtocolError(`${method} ${url} answered a body that is not JSON`));
            }
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(json);
          const problem = (json ?? {}) as { message?: unknown; detail?: unknown };
          const message = [problem.message, problem.detail].filter((x) => typeof x === 'string' && x).join(': ') || `HTTP ${status}`;
          if (status === 401) return reject(new RouterAuthError(`login refused: ${message}`));
          reject(new RouterTrapError(message, null, status));
        });
      });
      req.end(payload);
    });
  }
}
