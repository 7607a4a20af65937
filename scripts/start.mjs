#!/usr/bin/env node
// `npm start [-- options]`: build the web app when its sources changed, then run `uplink start`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const buildWeb = path.join(root, 'scripts', 'build-web.mjs');

if (fs.existsSync(buildWeb)) {
  const build = spawnSync(process.execPath, [buildWeb, '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error(`npm start: building the web app failed (exit code ${build.status ?? build.signal}); not starting`);
    process.exit(1);
  }
} else {
  console.log('npm start: scripts/build-web.mjs is not there yet, so the web app is served as it is (if built)');
}

const child = spawn(process.execPath, [path.join(root, 'bin', 'uplink.mjs'), 'start', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
// Ctrl+C reaches both processes through the terminal; a SIGTERM sent to npm reaches only us.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
