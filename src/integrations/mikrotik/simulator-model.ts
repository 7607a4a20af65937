/**
 * The in-memory configuration of the RouterOS simulator: the menus Uplink manages, with RouterOS's
 * habits — items named by `.id` values `*1`, `*2`… (hex, per menu), property values always text,
 * errors as short console-style messages, default items that cannot be removed, `/export` as a
 * console script that (like RouterOS 7) leaves sensitive values such as PPP passwords out.
 * Both wire fronts (binary API and REST, simulator.ts) execute commands through this one model.
 */
import type { RouterRow } from './client.ts';

/** A refusal, sent as `!trap =message=…` on the binary API and as a 400 body on REST. */
export class SimTrap extends Error {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}

interface MenuSpec {
  props: readonly string[];
  required?: readonly string[];
  unique?: string;
  defaults?: Record<string, string>;
  /** Filled by the router (sessions): no add/set; remove only when `removable` (it ends the session). */
  readOnly?: boolean;
  removable?: boolean;
  /** Left out of /export (RouterOS 7 hides them unless show-sensitive). */
  sensitive?: readonly string[];
}

const menus: Record<string, MenuSpec> = {
  '/ppp/profile': { props: ['name', 'rate-limit', 'local-address', 'remote-address', 'address-list', 'only-one', 'session-timeout', 'comment'], required: ['name'], unique: 'name' },
  '/ppp/secret': {
    props: ['name', 'password', 'profile', 'service', 'remote-address', 'caller-id', 'disabled', 'comment'],
    required: ['name'],
    unique: 'name',
    defaults: { profile: 'default', service: 'any', disabled: 'false' },
    sensitive: ['password'],
  },
  '/ppp/active': { props: ['name', 'service', 'caller-id', 'address', 'uptime', 'encoding', 'session-id'], readOnly: true, removable: true },
  '/ip/hotspot/user/profile': { props: ['name', 'rate-limit', 'address-pool', 'address-list', 'shared-users', 'session-timeout', 'comment'], required: ['name'], unique: 'name' },
  '/ip/hotspot/active': { props: ['server', 'user', 'address', 'mac-address', 'uptime', 'bytes-in', 'bytes-out', 'login-by'], readOnly: true, removable: true },
  '/queue/simple': { props: ['name', 'target', 'max-limit', 'limit-at', 'burst-limit', 'burst-threshold', 'burst-time', 'disabled', 'comment'], required: ['name', 'target'], unique: 'name' },
  '/ip/firewall/address-list': { props: ['list', 'address', 'timeout', 'disabled', 'comment'], required: ['list', 'address'] },
  // Files on the router's storage: written by commands (`/export file=`), never added directly.
  '/file': { props: ['name', 'type', 'size', 'creation-time', 'contents'], readOnly: true, removable: true },
};

/** `/file print` shows a file's contents only while it is this small (larger ones need /file/read). */
export const FILE_CONTENTS_LIMIT = 4096;

const rate = String.raw`\d+[kMG]?`;
const pair = `${rate}(/${rate})?`;
/** rx[/tx] [rx-burst[/tx-burst] [rx-threshold[/tx-threshold] [rx-time[/tx-time] [priority] [rx-min[/tx-min]]]]] */
const rateLimitPattern = new RegExp(String.raw`^${pair}( ${pair}( ${pair}( \d+(/\d+)?( [1-8]( ${pair})?)?)?)?)?$`);

const queueRate = /^(\d+)([kMG]?)$/;
const queueUnits: Record<string, bigint> = { '': 1n, k: 1000n, M: 1_000_000n, G: 1_000_000_000n };

/**
 * A simple queue's values as RouterOS prints them back, whatever spelling they were given in:
 * rates in bits per second (max-limit=5M/10M reads 5000000/10000000), burst times with their unit
 * (8 reads 8s), a single address target as a /32. Refuses what RouterOS refuses.
 */
function spelledAsPrinted(menu: string, props: RouterRow): RouterRow {
  if (menu !== '/queue/simple') return props;
  const out: RouterRow = { ...props };
  const pair = (key: string, each: (v: string) => string | null) => {
    const v = out[key];
    if (v === undefined) return;
    const parts = v.split('/');
    const read = parts.length <= 2 ? parts.map(each) : [null];
    if (read.some((p) => p === null)) throw new SimTrap(`invalid value for argument ${key}`);
    out[key] = (read.length === 1 ? [read[0], read[0]] : read).join('/');
  };
  for (const key of ['max-limit', 'limit-at', 'burst-limit', 'burst-threshold'])
    pair(key, (v) => {
      const m = queueRate.exec(v);
      return m ? (BigInt(m[1]!) * queueUnits[m[2]!]!).toString() : null;
    });
  pair('burst-time', (v) => {
    const m = /^(\d+)s?$/.exec(v);
    return m ? `${Number(m[1])}s` : null;
  });
  if (out.target !== undefined)
    out.target = out.target
      .split(',')
      .map((t) => {
        if (/^\d+\.\d+\.\d+\.\d+$/.test(t)) return `${t}/32`;
        if (/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(t)) return t;
        throw new SimTrap('invalid value for argument target');
      })
      .join(',');
  return out;
}

export interface Query {
  /** 'eq': `?name=x`; 'has': `?name`; 'lacks': `?-name`. */
  op: 'eq' | 'has' | 'lacks';
  name: string;
  value: string;
}

export class RouterModel {
  identity = 'MikroTik';
  readonly resource: RouterRow = {
    uptime: '1w2d3h4m5s',
    version: '7.18.2 (stable)',
    'build-time': '2025-03-11 11:59:04',
    'free-memory': '209715200',
    'total-memory': '268435456',
    cpu: 'ARMv7',
    'cpu-count': '4',
    'cpu-load': '3',
    'free-hdd-space': '100663296',
    'total-hdd-space': '134217728',
    'architecture-name': 'arm',
    'board-name': 'hEX S',
    platform: 'MikroTik',
  };
  readonly #items = new Map<string, RouterRow[]>();
  readonly #counters = new Map<string, number>();

  constructor(readonly now: () => Date = () => new Date()) {
    for (const menu of Object.keys(menus)) this.#items.set(menu, []);
    // The items every RouterOS has, which cannot be removed.
    this.#items.get('/ppp/profile')!.push({ '.id': '*0', name: 'default', default: 'true' }, { '.id': '*FFFFFFFE', name: 'default-encryption', default: 'true' });
    this.#items.get('/ip/hotspot/user/profile')!.push({ '.id': '*0', name: 'default', default: 'true', 'shared-users': '1' });
  }

  /** 6 or 7, from the version the router reports: what a command accepts depends on it. */
  get majorVersion(): number {
    return Number.parseInt(this.resource.version ?? '7', 10);
  }

  /** A file written by a command, as RouterOS stores it (replacing one of the same name). */
  writeFile(name: string, contents: string): void {
    const files = this.#menu('/file');
    const at = files.findIndex((f) => f.name === name);
    if (at >= 0) files.splice(at, 1);
    const stamp = this.now().toISOString().slice(0, 19).replace('T', ' ');
    this.#insert('/file', { name, type: name.endsWith('.rsc') ? 'script' : 'file', size: String(Buffer.byteLength(contents)), 'creation-time': stamp, contents });
  }

  static isMenu(path: string): boolean {
    return path in menus || path === '/system/identity' || path === '/system/resource';
  }

  /** Adds an item as the router itself would (a session that comes up). */
  seed(menu: string, props: RouterRow): string {
    return this.#insert(menu, props);
  }

  print(menu: string, queries: readonly Query[] = [], proplist?: readonly string[]): RouterRow[] {
    let rows: RouterRow[];
    if (menu === '/system/identity') rows = [{ name: this.identity }];
    else if (menu === '/system/resource') rows = [{ ...this.resource }];
    else rows = this.#menu(menu).map((r) => ({ ...r }));
    if (menu === '/file') rows = rows.map(({ contents, ...r }) => (contents !== undefined && Buffer.byteLength(contents) <= FILE_CONTENTS_LIMIT ? { ...r, contents } : r));
    rows = rows.filter((r) =>
      queries.every((q) => (q.op === 'eq' ? (r[q.name] ?? '') === q.value : q.op === 'has' ? r[q.name] !== undefined : r[q.name] === undefined)),
    );
    if (proplist) rows = rows.map((r) => Object.fromEntries(proplist.filter((p) => r[p] !== undefined).map((p) => [p, r[p]!])));
    return rows;
  }

  get(menu: string, id: string): RouterRow {
    const row = this.#menu(menu).find((r) => r['.id'] === id);
    if (!row) throw new SimTrap('no such item', true);
    return { ...row };
  }

  add(menu: string, props: RouterRow): string {
    const spec = this.#writable(menu);
    this.#check(spec, props);
    for (const p of spec.required ?? []) if (!props[p]) throw new SimTrap(`failure: ${p} not specified`);
    return this.#insert(menu, { ...spec.defaults, ...spelledAsPrinted(menu, props) });
  }

  set(menu: string, id: string, props: RouterRow): void {
    if (menu === '/system/identity') {
      if (props.name === undefined || Object.keys(props).length !== 1) throw new SimTrap('expected name');
      this.identity = props.name;
      return;
    }
    const spec = this.#writable(menu);
    this.#check(spec, props, id);
    const row = this.#menu(menu).find((r) => r['.id'] === id);
    if (!row) throw new SimTrap('no such item', true);
    // Queues PPP and hotspot sessions create (flag D) belong to the session: RouterOS refuses edits.
    if (row.dynamic === 'true') throw new SimTrap('failure: cannot change dynamic');
    if (row.default === 'true' && props.name !== undefined && props.name !== row.name) throw new SimTrap('failure: cannot rename default item');
    Object.assign(row, spelledAsPrinted(menu, props));
  }

  remove(menu: string, id: string): void {
    if (!menus[menu]?.removable) this.#writable(menu);
    const rows = this.#menu(menu);
    const at = rows.findIndex((r) => r['.id'] === id);
    if (at < 0) throw new SimTrap('no such item', true);
    if (rows[at]!.default === 'true') throw new SimTrap('failure: cannot remove default item');
    rows.splice(at, 1);
  }

  /** The configuration as a RouterOS 7 console script (`/export`). */
  export(): string {
    const d = this.now();
    const stamp = d.toISOString().slice(0, 19).replace('T', ' ');
    const lines = [`# ${stamp} by RouterOS ${this.resource.version!.split(' ')[0]}`, '# software id = UPLK-SIM1', '#', `# model = ${this.resource['board-name']}`];
    for (const [menu, spec] of Object.entries(menus).sort(([a], [b]) => a.localeCompare(b))) {
      if (spec.readOnly) continue;
      const rows = this.#menu(menu).filter((r) => r.default !== 'true');
      if (rows.length === 0) continue;
      lines.push(menu.replace(/\//g, ' ').trim().replace(/^/, '/'));
      for (const r of rows) {
        const props = Object.entries(r)
          .filter(([k]) => k !== '.id' && !spec.sensitive?.includes(k))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${/^[\w.*:/-]+$/.test(v) ? v : `"${v.replace(/["\\$]/g, (c) => `\\${c}`)}"`}`);
        lines.push(`add ${props.join(' ')}`);
      }
    }
    lines.push('/system identity', `set name=${this.identity}`);
    return `${lines.join('\n')}\n`;
  }

  #menu(menu: string): RouterRow[] {
    const rows = this.#items.get(menu);
    if (!rows) throw new SimTrap('no such command prefix');
    return rows;
  }

  #writable(menu: string): MenuSpec {
    const spec = menus[menu];
    if (!spec) throw new SimTrap('no such command prefix');
    if (spec.readOnly) throw new SimTrap('no such command');
    return spec;
  }

  #check(spec: MenuSpec, props: RouterRow, selfId?: string): void {
    for (const [k, v] of Object.entries(props)) {
      if (!spec.props.includes(k)) throw new SimTrap(`unknown parameter ${k}`);
      if (k === 'rate-limit' && v !== '' && !rateLimitPattern.test(v)) throw new SimTrap(`invalid value for argument rate-limit`);
    }
    const key = spec.unique;
    if (key && props[key] !== undefined) {
      const menu = Object.entries(menus).find(([, s]) => s === spec)![0];
      if (this.#menu(menu).some((r) => r[key] === props[key] && r['.id'] !== selfId)) throw new SimTrap(`failure: already have such ${key}`);
    }
  }

  #insert(menu: string, props: RouterRow): string {
    const n = (this.#counters.get(menu) ?? 0) + 1;
    this.#counters.set(menu, n);
    const id = `*${n.toString(16).toUpperCase()}`;
    this.#menu(menu).push({ '.id': id, ...props });
    return id;
  }
}
