/**
 * A RouterOS simulator speaking both management protocols over one in-memory configuration
 * (simulator-model.ts): the binary API on TCP (optionally TLS) and the REST API on HTTP (optionally
 * HTTPS). It follows the documented wire format — tagged sentences, `!re`/`!done`/`!trap`/`!empty`
 * (as RouterOS 7.18+ answers an empty print)/`!fatal`, `=ret=` for a new item's id and for
 * `/execute … as-string` (how the configuration export is read, see export.ts), `?name=x` and
 * `=.proplist=` on print; REST `GET/PUT/PATCH/DELETE/POST` under /rest with `{ error, message,
 * detail }` bodies — so the clients are tested against the protocol, not against themselves.
 * Used by the tests and the end-to-end suite; `faults` makes it misbehave on purpose.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { RouterModel, SimTrap, type Query } from './simulator-model.ts';
import { encodeSentence, SentenceReader } from './words.ts';
import type { RouterRow } from './client.ts';

export interface SimulatorOptions {
  host?: string;
  username?: string;
  password?: string;
  /** Ports to listen on; 0 (the default) picks a free one. */
  binaryPort?: number;
  restPort?: number;
  /** A certificate and key: both fronts then speak TLS (API-SSL and HTTPS). */
  tls?: { key: string; cert: string };
  /** Answer an empty print with `!empty` (RouterOS 7.18+); false behaves like older versions. */
  emptyReplies?: boolean;
  model?: RouterModel;
}

export interface SimulatorFaults {
  /** Commands (e.g. '/export') the simulator receives but never answers. */
  stall: Set<string>;
  /** Accept connections and never say a word (not even to /login). */
  silent: boolean;
}

export interface RouterSimulator {
  readonly host: string;
  readonly binaryPort: number;
  readonly restPort: number;
  readonly model: RouterModel;
  readonly faults: SimulatorFaults;
  /** Every command word the binary front received and every REST request line, in order. */
  readonly received: string[];
  close(): Promise<void>;
}

/** '/ppp/profile/print' → ['/ppp/profile', 'print']; '/export' → ['', 'export']. */
function splitCommand(command: string): [string, string] {
  const at = command.lastIndexOf('/');
  return [command.slice(0, at), command.slice(at + 1)];
}

function parseQuery(word: string): Query | null {
  const body = word.slice(1);
  if (body.startsWith('-')) return { op: 'lacks', name: body.slice(1), value: '' };
  const eq = body.indexOf('=');
  return eq < 0 ? { op: 'has', name: body, value: '' } : { op: 'eq', name: body.slice(0, eq), value: body.slice(eq + 1) };
}

/** Runs one console-style command; answers the rows to send and the `ret` value, if any. */
function execute(model: RouterModel, menu: string, verb: string, args: RouterRow, queries: Query[]): { rows: RouterRow[]; ret?: string } {
  // As real routers answer (see export.ts): a bare /export sends nothing back; with file= it
  // writes NAME.rsc; the text comes back only from `/execute script=/export as-string` (v7).
  if (menu === '' && verb === 'export') {
    if (args.file) model.writeFile(`${args.file}.rsc`, model.export());
    return { rows: [] };
  }
  if (menu === '' && verb === 'execute') {
    if (args['as-string'] !== undefined && model.majorVersion < 7) throw new SimTrap('unknown parameter as-string');
    if (args['as-string'] === undefined || args.script?.trim() !== '/export') throw new SimTrap('the simulator runs only /export with as-string');
    return { rows: [], ret: model.export() };
  }
  if (!RouterModel.isMenu(menu)) throw new SimTrap('no such command prefix');
  const { '.id': id, '.proplist': proplist, ...props } = args;
  switch (verb) {
    case 'print':
      return { rows: model.print(menu, queries, proplist ? proplist.split(',') : undefined) };
    case 'add':
      return { rows: [], ret: model.add(menu, props) };
    case 'set':
      model.set(menu, id ?? '', props);
      return { rows: [] };
    case 'remove':
      if (!id) throw new SimTrap('no such item');
      model.remove(menu, id);
      return { rows: [] };
    default:
      throw new SimTrap('no such command');
  }
}

function binaryFront(sim: { model: RouterModel; faults: SimulatorFaults; received: string[] }, opts: Required<Pick<SimulatorOptions, 'username' | 'password' | 'emptyReplies'>>) {
  return (socket: net.Socket) => {
    const reader = new SentenceReader();
    let loggedIn = false;
    socket.on('error', () => undefined);
    const send = (words: string[]) => socket.write(encodeSentence(words));
    socket.on('data', (chunk: Buffer) => {
      let sentences: string[][];
      try {
        sentences = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const [command, ...words] of sentences) {
        sim.received.push(command!);
        if (sim.faults.silent || sim.faults.stall.has(command!)) continue;
        const tagWord = words.find((w) => w.startsWith('.tag='));
        const tag = tagWord ? [tagWord] : [];
        const args: RouterRow = {};
        const queries: Query[] = [];
        for (const w of words) {
          if (w.startsWith('=')) {
            const eq = w.indexOf('=', 1);
            if (eq < 0) args[w.slice(1)] = '';
            else args[w.slice(1, eq)] = w.slice(eq + 1);
          } else if (w.startsWith('?')) {
            const q = parseQuery(w);
            if (q) queries.push(q);
          }
        }
        if (command === '/login') {
          if (args.name === opts.username && args.password === opts.password) {
            loggedIn = true;
            send(['!done', ...tag]);
          } else send(['!trap', '=message=invalid user name or password (6)', ...tag]), send(['!done', ...tag]);
          continue;
        }
        if (!loggedIn) {
          send(['!fatal', 'not logged in']);
          socket.end();
          return;
        }
        if (command === '/quit') {
          send(['!fatal', 'session terminated on request']);
          socket.end();
          return;
        }
        try {
          const [menu, verb] = splitCommand(command!);
          const { rows, ret } = execute(sim.model, menu, verb, args, queries);
          if (rows.length === 0 && verb === 'print' && opts.emptyReplies) send(['!empty', ...tag]);
          for (const row of rows) send(['!re', ...Object.entries(row).map(([k, v]) => `=${k}=${v}`), ...tag]);
          send(['!done', ...(ret !== undefined ? [`=ret=${ret}`] : []), ...tag]);
        } catch (err) {
          const message = err instanceof SimTrap ? err.message : 'internal error';
          send(['!trap', `=message=${message}`, ...tag]);
          send(['!done', ...tag]);
        }
      }
    });
  };
}

function restFront(sim: { model: RouterModel; faults: SimulatorFaults; received: string[] }, opts: Required<Pick<SimulatorOptions, 'username' | 'password'>>) {
  const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      sim.received.push(`${req.method} ${req.url}`);
      if (sim.faults.silent) return;
      const answer = (status: number, body?: unknown) => {
        res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (req.headers.authorization !== expected) return answer(401, { error: 401, message: 'Unauthorized' });
      const url = new URL(req.url ?? '/', 'http://router');
      if (!url.pathname.startsWith('/rest/')) return answer(404, { error: 404, message: 'Not Found' });
      let body: Record<string, unknown> = {};
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim()) body = JSON.parse(text);
      } catch {
        return answer(400, { error: 400, message: 'Bad Request', detail: 'JSON parse error' });
      }
      const strings = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
      let path = url.pathname.slice('/rest'.length);
      const last = path.slice(path.lastIndexOf('/') + 1);
      const id = last.startsWith('*') ? decodeURIComponent(last) : null;
      if (id) path = path.slice(0, path.lastIndexOf('/'));
      if (sim.faults.stall.has(path) || sim.faults.stall.has(`${path}/print`)) return;
      try {
        if (req.method === 'GET') {
          const proplist = url.searchParams.get('.proplist')?.split(',');
          const queries: Query[] = [...url.searchParams].filter(([k]) => k !== '.proplist').map(([name, value]) => ({ op: 'eq', name, value }));
          if (id) return answer(200, sim.model.get(path, id));
          if (!RouterModel.isMenu(path)) throw new SimTrap('no such command prefix');
          const rows = sim.model.print(path, queries, proplist);
          // A menu with a single item (identity, resource) answers an object, not a list.
          return answer(200, path.startsWith('/system/') ? rows[0] : rows);
        }
        if (req.method === 'PUT' && !id) {
          const newId = sim.model.add(path, strings(body));
          return answer(201, sim.model.get(path, newId));
        }
        if (req.method === 'PATCH' && id) {
          sim.model.set(path, id, strings(body));
          return answer(200, sim.model.get(path, id));
        }
        if (req.method === 'DELETE' && id) {
          sim.model.remove(path, id);
          return answer(204);
        }
        if (req.method === 'POST' && !id) {
          const [menu, verb] = splitCommand(path);
          const { '.proplist': proplist, '.query': query, ...args } = body;
          const queries: Query[] = (Array.isArray(query) ? query : []).map((q) => parseQuery(`?${String(q)}`)!).filter(Boolean);
          const a = strings(args);
          if (Array.isArray(proplist)) a['.proplist'] = proplist.join(',');
          const { rows, ret } = execute(sim.model, menu, verb, a, queries);
          return answer(200, ret !== undefined && verb !== 'add' ? { ret } : rows);
        }
        return answer(400, { error: 400, message: 'Bad Request', detail: 'no such command' });
      } catch (err) {
        if (err instanceof SimTrap && err.notFound) return answer(404, { error: 404, message: 'Not Found' });
        return answer(400, { error: 400, message: 'Bad Request', detail: err instanceof SimTrap ? err.message : 'internal error' });
      }
    });
  };
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

export async function startRouterSimulator(options: SimulatorOptions = {}): Promise<RouterSimulator> {
  const host = options.host ?? '127.0.0.1';
  const creds = { username: options.username ?? 'admin', password: options.password ?? '' };
  const sim = { model: options.model ?? new RouterModel(), faults: { stall: new Set<string>(), silent: false }, received: [] as string[] };
  const onSocket = binaryFront(sim, { ...creds, emptyReplies: options.emptyReplies ?? true });
  const binary = options.tls ? tls.createServer(options.tls, onSocket) : net.createServer(onSocket);
  const onRequest = restFront(sim, creds);
  const rest = options.tls ? https.createServer(options.tls, onRequest) : http.createServer(onRequest);
  const sockets = new Set<net.Socket>();
  for (const server of [binary, rest])
    server.on(options.tls ? 'secureConnection' : 'connection', (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
  const binaryPort = await listen(binary, options.binaryPort ?? 0, host);
  const restPort = await listen(rest, options.restPort ?? 0, host);
  return {
    host,
    binaryPort,
    restPort,
    ...sim,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([binary, rest].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
