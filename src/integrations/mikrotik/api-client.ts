/**
 * Our own client for the RouterOS binary API (v6 and v7; TCP 8728, or 8729 with TLS). Every command
 * carries a `.tag`, so several may be in flight on one connection and replies are matched by tag.
 * Replies: `!re` (a row), `!empty` (7.18+: no rows; `!done` still follows), `!trap` (an error; `!done`
 * follows), `!done` (the end; `=ret=` carries an added item's id), `!fatal` (the router closes).
 * A command that times out closes the connection: after it, which reply belongs to what is unknown.
 */
import type net from 'node:net';
import { DEFAULT_TIMEOUT_MS, maskedCommand, type CommandObserver, type PrintOptions, type RouterClient, type RouterConnectOptions, type RouterRow } from './client.ts';
import { RouterAuthError, RouterConnectionError, RouterError, RouterFatalError, RouterProtocolError, RouterTimeoutError, RouterTrapError } from './errors.ts';
import { openSocket, socketError } from './socket.ts';
import { encodeSentence, SentenceReader } from './words.ts';

interface Pending {
  words: string[];
  started: number;
  rows: RouterRow[];
  done: RouterRow | null;
  trap: RouterRow | null;
  timer: NodeJS.Timeout;
  resolve(reply: { rows: RouterRow[]; done: RouterRow }): void;
  reject(err: RouterError): void;
}

/** `=name=value` → ['name', 'value'] (the value may itself hold '='); other words → null. */
export function attributeOf(word: string): [string, string] | null {
  if (!word.startsWith('=')) return null;
  const eq = word.indexOf('=', 1);
  return eq < 0 ? [word.slice(1), ''] : [word.slice(1, eq), word.slice(eq + 1)];
}

export class BinaryApiClient implements RouterClient {
  readonly protocol = 'binary' as const;
  readonly #socket: net.Socket;
  readonly #reader = new SentenceReader();
  readonly #pending = new Map<string, Pending>();
  readonly #timeoutMs: number;
  readonly #observer: CommandObserver | undefined;
  #nextTag = 1;
  #failed: RouterError | null = null;

  private constructor(socket: net.Socket, options: RouterConnectOptions) {
    this.#socket = socket;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#observer = options.observer;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const sentence of this.#reader.push(chunk)) this.#dispatch(sentence);
      } catch (err) {
        this.#fail(err instanceof RouterError ? err : new RouterProtocolError(String(err)));
      }
    });
    socket.on('error', (err) => this.#fail(socketError(err, options)));
    socket.on('close', () => this.#fail(new RouterConnectionError('the router closed the connection')));
  }

  /** Connects and logs in (`/login =name= =password=`, RouterOS 6.43 and later). */
  static async connect(options: RouterConnectOptions): Promise<BinaryApiClient> {
    const client = new BinaryApiClient(await openSocket(options), options);
    try {
      const { done } = await client.#send(['/login', `=name=${options.username}`, `=password=${options.password}`]);
      if (done.ret !== undefined) throw new RouterAuthError('the router asked for the challenge login of RouterOS before 6.43, which Uplink does not support');
      return client;
    } catch (err) {
      await client.close();
      throw err instanceof RouterTrapError ? new RouterAuthError(`login refused: ${err.message}`) : err;
    }
  }

  async print(path: string, options: PrintOptions = {}): Promise<RouterRow[]> {
    const words = [`${path}/print`];
    if (options.proplist) words.push(`=.proplist=${options.proplist.join(',')}`);
    for (const [k, v] of Object.entries(options.where ?? {})) words.push(`?${k}=${v}`);
    return (await this.#send(words)).rows;
  }

  async add(path: string, props: Record<string, string>): Promise<string> {
    const { done } = await this.#send([`${path}/add`, ...attributes(props)]);
    if (!done.ret) throw new RouterProtocolError(`${path}/add answered without the new item's id`);
    return done.ret;
  }

  async set(path: string, id: string, props: Record<string, string>): Promise<void> {
    await this.#send([`${path}/set`, `=.id=${id}`, ...attributes(props)]);
  }

  async remove(path: string, id: string): Promise<void> {
    await this.#send([`${path}/remove`, `=.id=${id}`]);
  }

  async run(path: string, args: Record<string, string> = {}): Promise<{ rows: RouterRow[]; ret: string | null }> {
    const { rows, done } = await this.#send([path, ...attributes(args)]);
    return { rows, ret: done.ret ?? null };
  }

  async close(): Promise<void> {
    this.#fail(new RouterConnectionError('the connection was closed'));
  }

  #send(words: string[]): Promise<{ rows: RouterRow[]; done: RouterRow }> {
    if (this.#failed) return Promise.reject(this.#failed);
    const tag = String(this.#nextTag++);
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const record = (outcome: 'ok' | 'trap' | 'error', message: string | null) => {
        try {
          this.#observer?.({ command: maskedCommand(words), outcome, message, durationMs: Math.round(performance.now() - started) });
        } catch {
          // The log is a witness, never a reason for a command to fail.
        }
      };
      const timer = setTimeout(() => this.#fail(new RouterTimeoutError(this.#timeoutMs)), this.#timeoutMs);
      this.#pending.set(tag, {
        words,
        started,
        rows: [],
        done: null,
        trap: null,
        timer,
        resolve: (reply) => {
          record('ok', null);
          resolve(reply);
        },
        reject: (err) => {
          record(err instanceof RouterTrapError ? 'trap' : 'error', err.message);
          reject(err);
        },
      });
      this.#socket.write(encodeSentence([...words, `.tag=${tag}`]));
    });
  }

  #dispatch(sentence: string[]): void {
    const [type, ...rest] = sentence;
    if (type === '!fatal') return this.#fail(new RouterFatalError(rest.find((w) => !w.startsWith('.')) ?? 'the router closed the session'));
    const tag = rest.find((w) => w.startsWith('.tag='))?.slice(5);
    const pending = tag === undefined ? undefined : this.#pending.get(tag);
    if (!pending) throw new RouterProtocolError(`a ${type} reply for no command in flight (tag ${tag ?? 'missing'})`);
    const attrs: RouterRow = {};
    for (const w of rest) {
      const a = attributeOf(w);
      if (a) attrs[a[0]] = a[1];
    }
    switch (type) {
      case '!re':
        pending.rows.push(attrs);
        return;
      case '!empty':
        return;
      case '!trap':
        pending.trap = attrs;
        return;
      case '!done': {
        this.#pending.delete(tag!);
        clearTimeout(pending.timer);
        if (pending.trap) {
          const category = pending.trap.category === undefined ? null : Number(pending.trap.category);
          return pending.reject(new RouterTrapError(pending.trap.message ?? 'the router refused the command', category));
        }
        return pending.resolve({ rows: pending.rows, done: attrs });
      }
      default:
        throw new RouterProtocolError(`unknown reply word ${type}`);
    }
  }

  /** Ends the connection: every command in flight fails with `err`, every later one at once. */
  #fail(err: RouterError): void {
    if (this.#failed) return;
    this.#failed = err;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.#pending.clear();
    this.#socket.destroy();
  }
}

function attributes(props: Record<string, string>): string[] {
  return Object.entries(props).map(([k, v]) => `=${k}=${v}`);
}
