/** Helpers for the RADIUS tests: an in-memory NAS directory, policy and sink; Debian's tools; a raw UDP peer. */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import type { AccessDecision, AccessOutcome, AccessPolicy, AccessRequest, AccountingRequest, AccountingSink, AttributeList, RadiusClient } from '../../src/radius/contract.ts';
import { type RadiusServer, createRadiusServer } from '../../src/radius/server.ts';

export const SECRET = 'testing123';

export function nas(overrides: Partial<RadiusClient> = {}): RadiusClient {
  return {
    id: 'nas-1',
    organizationId: 'org-1',
    name: 'hq-ccr',
    type: 'mikrotik',
    address: '127.0.0.1',
    secret: SECRET,
    requireMessageAuthenticator: true,
    coaPort: 3799,
    ...overrides,
  };
}

export interface Subscriber {
  password: string;
  reply: AttributeList;
  rejectReply?: AttributeList;
}

export interface Harness {
  server: RadiusServer;
  authPort: number;
  acctPort: number;
  nases: Map<string, RadiusClient>;
  subscribers: Map<string, Subscriber>;
  authorized: AccessRequest[];
  outcomes: AccessOutcome[];
  recorded: AccountingRequest[];
  logs: Array<{ level: string; msg: string; obj: object }>;
  /** Replace to make the policy or the sink fail. */
  hooks: { authorize?: (request: AccessRequest) => Promise<AccessDecision>; record?: (request: AccountingRequest) => Promise<void> };
  stop(): Promise<void>;
}

export async function startHarness(opts: { nases?: RadiusClient[]; duplicateWindowMs?: number } = {}): Promise<Harness> {
  const nases = new Map((opts.nases ?? [nas()]).map((n) => [n.address, n]));
  const subscribers = new Map<string, Subscriber>();
  const authorized: AccessRequest[] = [];
  const outcomes: AccessOutcome[] = [];
  const recorded: AccountingRequest[] = [];
  const logs: Harness['logs'] = [];
  const hooks: Harness['hooks'] = {};
  const policy: AccessPolicy = {
    async authorize(request) {
      authorized.push(request);
      if (hooks.authorize) return hooks.authorize(request);
      const subscriber = subscribers.get(request.userName);
      if (!subscriber) return { kind: 'reject', reason: 'unknown subscriber', reply: [['Reply-Message', 'Unknown user']] };
      return { kind: 'accept', password: subscriber.password, reply: subscriber.reply, rejectReply: subscriber.rejectReply };
    },
    recorded: (outcome) => outcomes.push(outcome),
  };
  const accounting: AccountingSink = {
    async record(request) {
      if (hooks.record) await hooks.record(request);
      recorded.push(request);
    },
  };
  const log = (level: string) => (obj: object, msg: string) => logs.push({ level, msg, obj });
  const server = createRadiusServer({
    auth: { port: 0 },
    acct: { port: 0 },
    clients: { byAddress: (address) => nases.get(address) ?? null },
    policy,
    accounting,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    duplicateWindowMs: opts.duplicateWindowMs,
  });
  await server.start();
  return {
    server,
    authPort: server.addresses.auth.port,
    acctPort: server.addresses.acct.port,
    nases,
    subscribers,
    authorized,
    outcomes,
    recorded,
    logs,
    hooks,
    stop: () => server.stop(),
  };
}

export function requireTool(name: string) {
  if (!existsSync(`/usr/bin/${name}`)) throw new Error(`${name} is not installed: apt-get install freeradius-utils (CI installs it)`);
}

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a FreeRADIUS tool with the given stdin; never rejects (the exit code is in the result). */
export function run(tool: string, args: string[], input = ''): Promise<ToolRun> {
  requireTool(tool);
  return new Promise((resolve) => {
    const child = execFile(`/usr/bin/${tool}`, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

/** radclient with one packet from stdin: `-r 1 -t 1` so a dropped request fails fast. */
export const radclient = (port: number, command: 'auth' | 'acct' | 'status', attributes: string[], extra: string[] = [], secret = SECRET) =>
  run('radclient', ['-x', '-r', '1', '-t', '1', ...extra, `127.0.0.1:${port}`, command, secret], `${attributes.join('\n')}\n`);

/** Sends datagrams from one socket and collects what comes back within `waitMs`. */
export async function exchange(port: number, packets: Buffer[], opts: { host?: string; waitMs?: number } = {}): Promise<Buffer[]> {
  const host = opts.host ?? '127.0.0.1';
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const replies: Buffer[] = [];
  socket.on('message', (data) => replies.push(data));
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  for (const packet of packets) {
    await new Promise<void>((resolve, reject) => socket.send(packet, port, host, (err) => (err ? reject(err) : resolve())));
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, opts.waitMs ?? 300));
  socket.close();
  return replies;
}
