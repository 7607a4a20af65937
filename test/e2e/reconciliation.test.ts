/**
 * Statement reconciliation in Chromium: a statement source added from the M-PESA preset, a paybill
 * statement uploaded (previewed, then imported and matched automatically), and a line matched to a
 * payment by hand, the source's settings changed; then the workspace on a phone.
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMoney } from '../../src/core/money.ts';
import { receivePayment } from '../../src/modules/payments/receive.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { subscribersNamed } from '../reconciliation/support.ts';
import { buildWebApp, desktop, eventually, launchBrowser, openPage, phone, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

const statement = path.resolve(import.meta.dirname, '..', 'reconciliation', 'fixtures', 'mpesa-paybill.csv');
let server: WebServer;
let browser: Browser;
let org: Organization;
let email: string;

const pay = (transactionId: string, amount: string, at: string, reference: string) =>
  server.t.ctx.db.transaction().execute((trx) =>
    receivePayment(trx, server.t.clock, { organizationId: org.id, channel: 'mpesa', transactionId, amount: parseMoney(amount, 'KES'), via: { kind: 'gateway', gateway: 'mpesa' }, receivedAt: new Date(at), reference }),
  );
const line = (transactionId: string) =>
  server.t.ctx.db.selectFrom('statement_lines').selectAll().where('organization_id', '=', org.id).where('transaction_id', '=', transactionId).where('kind', '=', 'receipt').executeTakeFirst();

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const tree = await seedTree(server.t.ctx);
  org = tree.resellerA;
  const admin = await seedUser(server.t.ctx, org, 'admin');
  email = admin.email;
  await subscribersNamed(server.t, await sessionFor(server.t, admin), org, ['NF-0001', 'NF-0002']);
  // The callback of the first payment came; Mary's was recorded by staff under another reference.
  await pay('TKK1A2B3C1', '1500.00', '2026-11-20T05:15:45Z', 'NF-0001');
  await pay('MANUAL-7781', '2000.00', '2026-11-20T06:10:00Z', 'mary wanjiku');
  browser = await launchBrowser();
}, 180_000);

describe('statement reconciliation in the web app', () => {
  it('adds an M-PESA source, previews and imports a statement, and matches a line by hand', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto('/reconciliation');
    await page.getByText('No statement source yet').waitFor();
    await page.getByRole('button', { name: 'New statement source' }).click();
    const form = page.getByRole('dialog', { name: 'New statement source' });
    await form.getByRole('textbox', { name: 'Key' }).fill('mpesa-600123');
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Paybill 600123');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'detached' });

    await page.getByRole('tab', { name: 'Import' }).click();
    await page.locator('input[type="file"]').setInputFiles(statement);
    await page.getByRole('button', { name: 'Preview' }).click();
    const mapped = page.getByRole('table', { name: 'As the mapping reads them' });
    await mapped.getByRole('cell', { name: 'TKK1A2B3C1' }).waitFor();
    await expect.poll(() => mapped.getByRole('row').count(), eventually).toBe(7);
    await page.getByText('6 lines from 2026-11-20 to 2026-11-21; 1 rows skipped').waitFor();
    expect(await line('TKK1A2B3C1')).toBeUndefined();
    await page.getByRole('button', { name: 'Import statement' }).click();
    await page.getByText('6 new lines imported, 0 already known').waitFor();

    // The workspace: the line with a callback matched itself; Mary's 2,000 waits beside her payment.
    await page.getByRole('tab', { name: 'Matching', selected: true }).waitFor();
    await expect.poll(async () => (await line('TKK1A2B3C1'))?.match_method, eventually).toBe('transaction_id');
    const lost = page.getByTestId('line-TKK1A2B3C3');
    await lost.getByText('No payment recorded (lost callback)').waitFor();
    await page.getByRole('radio', { name: 'Statement line TKK1A2B3C2 of 2000.00' }).check();
    await page.getByRole('radio', { name: /^Payment \d+ \(MANUAL-7781\) of 2000\.00$/ }).check();
    await page.getByText('Statement minus payment: 0.00').waitFor();
    await page.getByRole('button', { name: 'Match', exact: true }).click();
    await page.getByRole('radio', { name: 'Statement line TKK1A2B3C2 of 2000.00' }).waitFor({ state: 'detached' });
    const matched = await line('TKK1A2B3C2');
    expect(matched).toMatchObject({ status: 'matched', match_method: 'manual' });
    const payment = await server.t.ctx.db.selectFrom('payments').select('id').where('transaction_id', '=', 'MANUAL-7781').executeTakeFirstOrThrow();
    expect(matched!.payment_id).toBe(payment.id);

    await page.locator('label').filter({ hasText: /^Matched$/ }).click();
    await page.getByTestId('line-TKK1A2B3C2').getByText('By hand').waitFor();

    // The mapping and settings are saved per source: lost callbacks from now on are credited at import.
    await page.getByRole('button', { name: 'Source settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Source settings' });
    expect(await settings.getByRole('textbox', { name: 'Key' }).inputValue()).toBe('mpesa-600123');
    await settings.getByRole('switch', { name: 'Credit lost callbacks automatically' }).check({ force: true });
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });
    const source = await server.t.ctx.db.selectFrom('statement_sources').selectAll().where('organization_id', '=', org.id).executeTakeFirstOrThrow();
    expect(source).toMatchObject({ key: 'mpesa-600123', auto_credit: true, channels: ['mpesa'], gateway: 'mpesa' });
    await close();
  });

  it('the workspace fits a phone', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto('/reconciliation');
    await page.getByTestId('line-TKK1A2B3C3').waitFor();
    await page.getByRole('button', { name: 'Credit payment' }).first().waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    await close();
  });
});
