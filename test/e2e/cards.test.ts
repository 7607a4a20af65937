import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { json, PASSWORD, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { portalFixtures } from '../portal/fixtures.ts';
import { buildWebApp, desktop, launchBrowser, openPage, phone, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;
let adminEmail: string;
let admin: Api;
let customerEmail: string;
let subscriberId: string;
let tree: Awaited<ReturnType<typeof seedTree>>;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const { t } = server;
  tree = await seedTree(t.ctx);
  const adminUser = await seedUser(t.ctx, tree.isp, 'admin');
  adminEmail = adminUser.email;
  admin = await sessionFor(t, adminUser);
  const f = portalFixtures(t, await sessionFor(t, await seedUser(t.ctx, tree.isp, 'staff')));
  const amina = await f.subscriber(tree.isp, 'Amina Otieno');
  subscriberId = amina.id;
  customerEmail = (await f.customer(amina.id)).email;
  browser = await launchBrowser();
}, 180_000);

const fitsThePhone = async (page: Page) => expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);

describe('recharge cards in the browser', () => {
  it('an admin prints a batch of cards and downloads its PDF sheets', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, adminEmail, PASSWORD);
    await page.getByRole('link', { name: 'Recharge cards' }).click();
    await page.getByRole('heading', { name: 'Recharge cards' }).waitFor();
    await page.getByRole('button', { name: 'New batch' }).click();
    const dialog = page.getByRole('dialog', { name: 'Print a batch of cards' });
    await dialog.getByRole('textbox', { name: /^Batch name/ }).fill('Scratch 500');
    await dialog.getByRole('textbox', { name: /^Serial prefix/ }).fill('nf');
    await dialog.getByRole('textbox', { name: /^Value of each card/ }).fill('500');
    await dialog.getByRole('textbox', { name: /^Number of cards/ }).fill('30');
    await dialog.getByLabel(/^Valid until/).fill('2027-06-30');
    await dialog.getByRole('button', { name: 'Print the batch' }).click();

    await page.getByRole('heading', { name: /^Scratch 500 · NF\d+$/ }).waitFor();
    await page.getByText('30 cards of 500.00 KES, valid until').waitFor();
    const batch = await server.t.ctx.db.selectFrom('card_batches').selectAll().where('name', '=', 'Scratch 500').executeTakeFirstOrThrow();
    expect(batch).toMatchObject({ prefix: 'NF', quantity: 30, face_value: 50_000n, currency: 'KES' });
    expect(await server.t.ctx.db.selectFrom('cards').select('id').where('batch_id', '=', batch.id).execute()).toHaveLength(30);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Print sheets (PDF)' }).click()]);
    expect(download.suggestedFilename()).toBe(`cards-${batch.number}.pdf`);
    const pdf = await readFile((await download.path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(2);
    const exported = await server.t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', batch.id).where('action', '=', 'cards.exported').execute();
    expect(exported).toHaveLength(1);

    // Sell the first ten at the counter through the range form.
    await page.getByRole('textbox', { name: 'To card' }).fill('10');
    await page.getByRole('button', { name: 'Mark sold' }).last().click();
    await page.getByText('10 cards changed, 0 left as they were').waitFor();
    await close();
  });

  it('a customer redeems a card in the portal on a phone and sees the wallet credited', async () => {
    const batch = await server.t.ctx.db.selectFrom('card_batches').select(['id', 'number']).where('name', '=', 'Scratch 500').executeTakeFirstOrThrow();
    const csv = (await admin.get(`/api/cards/batches/${batch.id}/export`)).body.trim().split('\n').slice(1);
    const pin = csv[0]!.split(',')[1]!;

    const { page, errors, close } = await openPage(browser, server.baseUrl, phone);
    await page.goto('/login');
    await page.getByRole('textbox', { name: 'E-mail' }).fill(customerEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hello, Amina Otieno' }).waitFor();
    await page.getByRole('link', { name: 'Wallet' }).click();
    await page.getByRole('link', { name: 'Redeem a recharge card' }).click();
    await page.getByRole('heading', { name: 'Redeem a recharge card' }).waitFor();
    await fitsThePhone(page);

    // A mistyped PIN is refused with the server's words, and nothing is credited.
    await page.getByRole('textbox', { name: 'Card PIN' }).fill('ZZZZ-ZZZZ-ZZZZ');
    await page.getByRole('button', { name: 'Redeem the card' }).click();
    await page.getByText('No card has this PIN: check it and try again').waitFor();
    // The browser logs the refused request itself; that one is expected.
    const refused = errors.findIndex((e) => e.includes('422') && e.includes('/api/portal/cards/redeem'));
    expect(refused).toBeGreaterThanOrEqual(0);
    errors.splice(refused, 1);

    await page.getByRole('textbox', { name: 'Card PIN' }).fill(pin.toLowerCase());
    await page.getByRole('button', { name: 'Redeem the card' }).click();
    await page.getByText('Card redeemed').waitFor();
    await page.getByText('500.00 KES added to your wallet').waitFor();
    await page.getByText('Wallet balance: 500.00 KES').waitFor();
    await fitsThePhone(page);

    await page.getByRole('link', { name: 'Back to my wallet' }).click();
    await page.getByText('KES 500.00').first().waitFor();
    const wallet = json(await admin.get(`/api/subscribers/${subscriberId}/wallet`));
    expect(wallet.balance).toBe('500.00');
    const payment = await server.t.ctx.db.selectFrom('payments').select(['channel', 'amount', 'transaction_id']).where('subscriber_id', '=', subscriberId).executeTakeFirstOrThrow();
    expect(payment).toEqual({ channel: 'card', amount: 50_000n, transaction_id: `NF${batch.number}-000001` });
    await close();
  });

  it('staff redeem a card a subscriber brings to the counter', async () => {
    const batch = await server.t.ctx.db.selectFrom('card_batches').select(['id', 'number']).where('name', '=', 'Scratch 500').executeTakeFirstOrThrow();
    const pin = (await admin.get(`/api/cards/batches/${batch.id}/export`)).body.trim().split('\n').slice(1)[1]!.split(',')[1]!;
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, adminEmail, PASSWORD);
    await page.goto('/cards');
    await page.getByRole('button', { name: 'Redeem for a subscriber' }).click();
    const dialog = page.getByRole('dialog', { name: 'Redeem a card for a subscriber' });
    await dialog.getByRole('combobox', { name: 'Subscriber' }).fill('Amina');
    await page.getByRole('option', { name: /^Amina Otieno/ }).click();
    await dialog.getByRole('textbox', { name: 'Card PIN' }).fill(pin);
    await dialog.getByRole('button', { name: 'Redeem the card' }).click();
    await dialog.getByText(`500.00 KES from card NF${batch.number}-000002 credited; the wallet now holds 1000.00 KES`).waitFor();
    expect(json(await admin.get(`/api/subscribers/${subscriberId}/wallet`)).balance).toBe('1000.00');
    await close();
  });
  it('staff record what a card partner paid for the cards it sold, and what it owes goes down', async () => {
    const { t } = server;
    const created = await admin.post('/api/cards/batches', { name: 'Partner stock', prefix: 'PS', value: '1000', quantity: 5, expiresAt: '2027-06-30T20:59:59Z' });
    expect(created.statusCode, created.body).toBe(201);
    const batch = json(created) as { id: string };
    expect((await admin.post(`/api/cards/batches/${batch.id}/assign`, { from: 1, to: 3, distributorId: tree.cardA.id, commissionPercent: '10' })).statusCode).toBe(200);
    const partner = await sessionFor(t, await seedUser(t.ctx, tree.cardA, 'card_distributor'));
    expect((await partner.post(`/api/cards/batches/${batch.id}/sell`, { from: 1, to: 3 })).statusCode).toBe(200);

    const { page, errors, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, adminEmail, PASSWORD);
    await page.goto(`${server.baseUrl}/cards`);
    const row = page.getByRole('row', { name: /Card partner A/ });
    await row.getByText('2700.00 KES').waitFor(); // 3 × 1,000 less 10% withheld
    await row.getByRole('button', { name: 'Record a payment from Card partner A' }).click();
    const dialog = page.getByRole('dialog', { name: 'Payment from Card partner A' });
    expect(await dialog.getByRole('textbox', { name: /^Amount \(KES\)/ }).inputValue()).toBe('2700.00');
    await dialog.getByRole('textbox', { name: /^Amount/ }).fill('2000');
    await dialog.getByRole('button', { name: 'Record' }).click();
    await dialog.locator('input[aria-invalid="true"]').waitFor(); // the reference is required: nothing recorded yet
    expect(await t.ctx.db.selectFrom('journal_entries').select('id').where('kind', '=', 'card_partner_payment').execute()).toHaveLength(0);
    expect(errors.splice(0)).toEqual([expect.stringContaining('status of 400')]);
    await dialog.getByRole('textbox', { name: /^Reference/ }).fill('MPESA-QX12');
    await dialog.getByRole('button', { name: 'Record' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByText('700.00 KES').first().waitFor();
    await fitsThePhone(page);
    expect(await t.ctx.db.selectFrom('journal_entries').select('memo').where('kind', '=', 'card_partner_payment').execute()).toEqual([{ memo: 'Card partner A paid for cards (MPESA-QX12)' }]);

    // The same reference again is refused with a message, and changes nothing.
    await row.getByRole('button', { name: 'Record a payment from Card partner A' }).click();
    await dialog.getByRole('textbox', { name: /^Reference/ }).fill('MPESA-QX12');
    await dialog.getByRole('button', { name: 'Record' }).click();
    await dialog.getByText('A payment with reference MPESA-QX12 is already recorded for Card partner A').waitFor();
    expect(await t.ctx.db.selectFrom('journal_entries').select('id').where('kind', '=', 'card_partner_payment').execute()).toHaveLength(1);
    expect(errors.splice(0)).toEqual([expect.stringContaining('status of 409')]);
    await close();
  });
});
