import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, expect } from 'vitest';
import { createTestContext, type TestContext } from '../../support/app.ts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

export const phone = { width: 360, height: 740 };
export const desktop = { width: 1280, height: 800 };

/** Builds web/dist unless it is newer than every file under web/. */
export function buildWebApp(): void {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-web.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
}

export interface WebServer {
  t: TestContext;
  baseUrl: string;
}

/** The real HTTP app with the built web app, on a fresh migrated database, on a free port. */
export async function startWebServer(): Promise<WebServer> {
  const t = await createTestContext({ webDir: path.join(root, 'web', 'dist') });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no TCP address');
  return { t, baseUrl: `http://127.0.0.1:${address.port}` };
}

/** Debian's Chromium, headless; closed after the file. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  afterAll(() => browser.close());
  return browser;
}

export interface TrackedPage {
  page: Page;
  /** Every console error and uncaught page error seen so far. */
  errors: string[];
  /** Fails the test when the page logged any error; closes the page's context. */
  close(): Promise<void>;
}

/** A page in its own browser context (own cookies and storage) that records console and page errors. */
export async function openPage(browser: Browser, baseUrl: string, viewport: { width: number; height: number }, locale = 'en-US'): Promise<TrackedPage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, locale });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  return {
    page,
    errors,
    close: async () => {
      await context.close();
      expect(errors).toEqual([]);
    },
  };
}

/** Signs in through the (English) login form and waits for the dashboard in the profile's language. */
export async function signInThroughForm(page: Page, email: string, password: string, profileLanguage = 'en'): Promise<void> {
  await page.goto('/login');
  await page.getByRole('textbox', { name: 'E-mail' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const welcome = tr(profileLanguage, 'dashboard.welcome').split('{{name}}')[0]!;
  await page.getByRole('heading', { name: new RegExp(`^${welcome}`) }).waitFor();
}

type Messages = { [key: string]: string | Messages };
const messages = new Map<string, Messages>();

/** The interface text of a translation key, so tests can find elements in any language. */
export function tr(language: string, key: string): string {
  if (!messages.has(language)) {
    messages.set(language, JSON.parse(readFileSync(path.join(root, 'web', 'src', 'locales', `${language}.json`), 'utf8')) as Messages);
  }
  let node: string | Messages | undefined = messages.get(language);
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  if (typeof node !== 'string') throw new Error(`no ${language} text for ${key}`);
  return node;
}

/** For expect.poll: vitest gives up after one second, too soon for a debounced search on a busy machine. */
export const eventually = { timeout: 15_000, interval: 100 };
