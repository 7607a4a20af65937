/**
 * One interface over the two ways to manage a RouterOS router: the binary API (v6 and v7, TCP
 * 8728/8729) and the REST API (v7.1+). Paths are menu paths as the console writes them with
 * slashes ('/ppp/profile'); rows are the router's own property names and text values.
 */
export type RouterRow = Record<string, string>;

export interface PrintOptions {
  /** Equality filters (`?name=gold` on the binary API, `?name=gold` in a REST query string). */
  where?: Record<string, string>;
  /** Only these properties (`=.proplist=`), to keep answers small. */
  proplist?: readonly string[];
}

export interface RouterClient {
  readonly protocol: 'binary' | 'rest';
  print(path: string, options?: PrintOptions): Promise<RouterRow[]>;
  /** Adds an item; answers its `.id` (`*1`). */
  add(path: string, props: Record<string, string>): Promise<string>;
  set(path: string, id: string, props: Record<string, string>): Promise<void>;
  remove(path: string, id: string): Promise<void>;
  /** Any other command (`/export`, `/system/reboot`); `ret` is the value it answers, if any. */
  run(path: string, args?: Record<string, string>): Promise<{ rows: RouterRow[]; ret: string | null }>;
  close(): Promise<void>;
}

/** A command as sent, for the command log: words with secrets masked, how it ended, how long it took. */
export interface CommandRecord {
  command: string;
  outcome: 'ok' | 'trap' | 'error';
  message: string | null;
  durationMs: number;
}

export type CommandObserver = (record: CommandRecord) => void;

/** How to reach and log in to a router. */
export interface RouterConnectOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  tls?: {
    /** SHA-256 fingerprint of the router's certificate (AA:BB:…); when set, only that certificate is accepted. */
    fingerprint?: string | null;
  } | null;
  timeoutMs?: number;
  observer?: CommandObserver;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

const secretKey = /(password|secret|passphrase|key|psk|token)/i;

/** `=password=s3cret` → `=password=***`: what the command log keeps of a word. */
export function maskWord(word: string): string {
  const m = /^([=?]?)([^=]+)=/.exec(word);
  return m && secretKey.test(m[2]!) ? `${m[0]}***` : word;
}

export function maskedCommand(words: readonly string[]): string {
  return words.map(maskWord).join(' ');
}
