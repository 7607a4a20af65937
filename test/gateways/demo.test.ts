/** Demo mode's M-PESA: the Daraja simulator in the process, a payer who enters the PIN by itself, the demo ISP's account pointing at it. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_MPESA_LABEL, startDemoGateways, type DemoGateways } from '../../src/modules/gateways/demo.ts';
import { adapterOf, openCredentials } from '../../src/modules/gateways/credentials.ts';
import * as repo from '../../src/modules/gateways/gateways.repo.ts';
import { createTestContext, seedTree } from '../support/app.ts';

describe('demo gateways', async () => {
  const t = await createTestContext();
  const { isp } = await seedTree(t.ctx);
  const started: DemoGateways[] = [];
  afterAll(async () => {
    for (const d of started) await d.stop();
  });

  it("points the ISP's M-PESA account at the simulator, whose payer pays each push by itself; a restart follows the new port", async () => {
    const first = (await startDemoGateways(t.ctx, { payAfterMs: 100 }))!;
    started.push(first);
    const account = (await repo.accountByKind(t.ctx.db, isp.id, 'mpesa'))!;
    expect(account).toMatchObject({ label: DEMO_MPESA_LABEL, enabled: true });
    const creds = openCredentials(t.ctx.secrets, account);
    expect(creds.baseUrl).toBe(first.mpesa.baseUrl);

    // Where Safaricom's callback lands: a bare HTTP listener standing in for Uplink's callback route.
    const received: unknown[] = [];
    const listener = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('{}');
      });
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as AddressInfo).port;
    try {
      const push = await adapterOf(account).startCheckout(creds, {
        intentId: crypto.randomUUID(),
        amount: { minor: 150_000n, currency: 'KES' },
        accountReference: 'ACC-1',
        description: 'Invoice',
        callbackUrl: `http://127.0.0.1:${port}/callback`,
        phone: '0712345678',
      });
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
      const callback = (received[0] as { Body: { stkCallback: { CheckoutRequestID: string; ResultCode: number; CallbackMetadata: { Item: { Name: string; Value?: unknown }[] } } } }).Body.stkCallback;
      expect(callback.CheckoutRequestID).toBe(push.gatewayRef);
      expect(callback.ResultCode).toBe(0);
      expect(callback.CallbackMetadata.Item.find((i) => i.Name === 'Amount')?.Value).toBe(1500);
    } finally {
      await new Promise((r) => listener.close(r));
    }

    await first.stop();
    const second = (await startDemoGateways(t.ctx))!;
    started.push(second);
    expect(second.mpesa.baseUrl).not.toBe(first.mpesa.baseUrl);
    const again = (await repo.accountByKind(t.ctx.db, isp.id, 'mpesa'))!;
    expect(again.id).toBe(account.id);
    expect(openCredentials(t.ctx.secrets, again).baseUrl).toBe(second.mpesa.baseUrl);
  });

  it('leaves an M-PESA account the ISP set up itself alone', async () => {
    const account = (await repo.accountByKind(t.ctx.db, isp.id, 'mpesa'))!;
    await repo.updateAccount(t.ctx.db, account.id, { label: 'Our paybill 600984' });
    const sealed = (await repo.accountByKind(t.ctx.db, isp.id, 'mpesa'))!.credentials_enc;
    expect(await startDemoGateways(t.ctx)).toBeNull();
    expect((await repo.accountByKind(t.ctx.db, isp.id, 'mpesa'))!).toMatchObject({ label: 'Our paybill 600984', credentials_enc: sealed });
  });
});
