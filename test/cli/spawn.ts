import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { createServerDatabase } from './databases.ts';

const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'uplink.mjs');

export interface Installation {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** Opens the installation's database directly (no CLI running), e.g. to tamper with it. */
  open(): Promise<Database>;
}

/**
 * A new, empty installation for the engine under test: a temporary data folder, and on the
 * server engine an empty database of its own (the CLI migrates it, as a real first start does).
 */
export async function newInstallation(): Promise<Installation> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uplink-cli-'));
  const server = process.env.DATABASE_URL ? await createServerDatabase() : undefined;
  afterAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await server?.drop();
  });
  // The defaults a new user gets: no LOG_LEVEL, and DATABASE_URL only for this installation.
  const { DATABASE_URL: _url, LOG_LEVEL: _level, PORT: _port, ...rest } = process.env;
  // RADIUS on free ports: parallel test files (and a FreeRADIUS under test) may hold 1812/1813.
  const env = { ...rest, UPLINK_DATA_DIR: dataDir, RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0', ...(server ? { DATABASE_URL: server.url } : {}) };
  return {
    env,
    dataDir,
    open: () => openDatabase(server ? { databaseUrl: server.url, poolSize: 1 } : { pgliteDir: path.join(dataDir, 'pglite') }),
  };
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `uplink <args>` to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Running {
  url: string;
  output: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `uplink start <args>` and resolves once it announces itself (or rejects with its output). */
export function startCli(args: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const child = spawn(process.execPath, [bin, 'start', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`uplink start did not announce itself in time:\n${out}`)), 90_000);
    void exited.then((code) => reject(new Error(`uplink start exited with ${code}:\n${out}`)));
    child.stdout.on('data', () => {
      const url = /│ Open (http:\/\/\S+)/.exec(out)?.[1];
      if (!url || !out.includes('Stop with Ctrl+C')) return;
      clearTimeout(timer);
      resolve({
        url,
        output: () => out,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The non-empty lines a command wrote to stderr. */
export function stderrLines(r: Result): string[] {
  return r.stderr.split('\n').filter((l) => l.trim() !== '');
}
