#!/usr/bin/env node
/**
 * Builds the web app (web/ → web/dist) with Vite.
 *   --if-stale  skip the build when web/dist/index.html is newer than every source file under web/
 *
 * Several processes may ask at once (parallel test files, `npm start`): a lock directory lets one
 * build while the others wait, and the new dist replaces the old one in a single rename.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'vite';

const webDir = path.resolve(import.meta.dirname, '..', 'web');
const distDir = path.join(webDir, 'dist');
const lockDir = path.join(webDir, '.build-lock');
const staleLockMs = 5 * 60_000;

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (full === distDir) continue;
    const mtime = entry.isDirectory() ? newestSourceMtime(full) : fs.statSync(full).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function isFresh() {
  const index = path.join(distDir, 'index.html');
  return fs.existsSync(index) && fs.statSync(index).mtimeMs > newestSourceMtime(webDir);
}

async function withLock(work) {
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const age = Date.now() - fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
      if (age > staleLockMs) fs.rmSync(lockDir, { recursive: true, force: true });
      else await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

const ifStale = process.argv.includes('--if-stale');
await withLock(async () => {
  if (ifStale && isFresh()) {
    console.log('web app is up to date (web/dist)');
    return;
  }
  // Callers such as vitest set NODE_ENV=test, which would bundle React's development build.
  process.env.NODE_ENV = 'production';
  const outDir = path.join(webDir, `.dist-${process.pid}`);
  try {
    await build({ configFile: path.join(webDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir } });
    fs.rmSync(distDir, { recursive: true, force: true });
    fs.renameSync(outDir, distDir);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  console.log('built the web app into web/dist');
});
