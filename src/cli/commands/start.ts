import type { Command } from 'commander';
import type { Logger } from 'pino';
import { allRoles, loadConfig, type Role } from '../../platform/config.ts';
import { createLogger } from '../../platform/logging.ts';
import { issueSetupLink } from '../../modules/setup/setup.service.ts';
import { databaseIsEmpty, loadDemo } from '../../modules/demo/demo.service.ts';
import { type DemoGateways, startDemoGateways } from '../../modules/gateways/demo.ts';
import { startRuntime, type Runtime } from '../../main.ts';
import { box } from '../banner.ts';
import { action, CliError } from '../run.ts';
import { cliAudit } from '../actor.ts';
import { printDemoLogins } from './demo.ts';

interface StartOptions {
  role: string[];
  demo?: boolean;
  port?: string;
  host?: string;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run Uplink: the HTTP API and web app, the job worker (and RADIUS, once the AAA issue adds it)')
    .option('--role <roles>', 'roles to run: http, radius, worker (repeat or comma-separate; default all)', collect, [])
    .option('--demo', 'load the demo data set on the first start (when the database is empty)')
    .option('--port <port>', 'HTTP port (default PORT or 3000)')
    .option('--host <host>', 'HTTP address to listen on (default HOST or 0.0.0.0)')
    .action(action(start));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

export function parseRoles(values: string[]): Role[] {
  if (values.length === 0) return [...allRoles];
  const unknown = values.filter((v) => !(allRoles as readonly string[]).includes(v));
  if (unknown.length) throw new CliError(`unknown role "${unknown[0]}"; the roles are ${allRoles.join(', ')}`);
  return [...new Set(values as Role[])];
}

async function start(opts: StartOptions): Promise<number> {
  const roles = parseRoles(opts.role);
  const env = { ...process.env };
  if (opts.port !== undefined) env.PORT = opts.port;
  if (opts.host !== undefined) env.HOST = opts.host;
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const signal = shutdownSignal(logger);
  const runtime = await startRuntime({ config, roles, logger });
  let demoGateways: DemoGateways | null = null;
  try {
    if (signal.received) return 0;
    if (opts.demo) {
      await demoOnFirstStart(runtime);
      demoGateways = await startDemoGateways(runtime.ctx);
      if (demoGateways) console.log(`--demo: M-PESA payments in the portal go to the Daraja simulator at ${demoGateways.mpesa.baseUrl}; its payer enters the PIN after 4 seconds`);
    }
    await announce(runtime, roles);
    await signal.wait;
    return 0;
  } finally {
    await demoGateways?.stop();
    await runtime.stop();
    logger.info('stopped');
  }
}

/**
 * Resolves on the first SIGINT/SIGTERM. One Ctrl+C can arrive several times within a moment (from
 * the terminal's process group, and forwarded by npm and scripts/start.mjs), so repeats within a
 * second are ignored; a later one ends the process at once when a clean stop hangs.
 */
function shutdownSignal(logger: Logger): { wait: Promise<string>; received: boolean } {
  const state = { received: false, wait: Promise.resolve('') };
  let firstAt = 0;
  state.wait = new Promise((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      if (state.received) {
        if (Date.now() - firstAt < 1000) return;
        process.stderr.write(`uplink: ${sig} again, exiting without a clean shutdown\n`);
        process.exit(1);
      }
      state.received = true;
      firstAt = Date.now();
      logger.info({ signal: sig }, 'stopping');
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return state;
}

async function demoOnFirstStart(runtime: Runtime): Promise<void> {
  const { ctx } = runtime;
  if (!(await databaseIsEmpty(ctx.db))) {
    console.log('--demo: the database already holds data, so the demo data set was not loaded');
    return;
  }
  const result = await loadDemo({ db: ctx.db, clock: ctx.clock, secrets: ctx.secrets }, cliAudit);
  printDemoLogins(result);
}

async function announce(runtime: Runtime, roles: Role[]): Promise<void> {
  const lines = [`Uplink is running (roles: ${roles.join(', ')})`];
  if (runtime.url) {
    lines.push(`Open ${runtime.url}`);
    const link = await issueSetupLink(runtime.ctx, runtime.url);
    if (link) lines.push('', 'First start: open this one-time link to create the ISP and your account', '(valid 24 hours; each start prints a new one until setup is done):', link);
  }
  lines.push('', 'Stop with Ctrl+C');
  console.log(box(lines));
}
