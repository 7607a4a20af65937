#!/usr/bin/env node
/**
 * Builds the web app (web/ → web/dist) with Vite.
 *   --if-stale  skip the build when web/dist/index.html is newer than every source file under web/
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

const webDir = path.resolve(import.meta.dirname, '..', 'web');
const distDir = path.join(webDir, 'dist');
const builtIndex = path.join(distDir, 'index.html');

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (full === distDir || entry.name === 'node_modules') continue;
    const mtime = entry.isDirectory() ? newestSourceMtime(full) : fs.statSync(full).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function isFresh() {
  if (!fs.existsSync(builtIndex)) return false;
  return fs.statSync(builtIndex).mtimeMs > newestSourceMtime(webDir);
}

if (process.argv.includes('--if-stale') && isFresh()) {
  console.log('web app is up to date (web/dist)');
} else {
  // Callers such as vitest set NODE_ENV=test, which would bundle React's development build.
  process.env.NODE_ENV = 'production';
  await build({ configFile: path.join(webDir, 'vite.config.ts'), logLevel: 'warn' });
  console.log('built the web app into web/dist');
}
