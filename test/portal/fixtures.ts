import { expect } from 'vitest';
import { formatMoney } from '../../src/core/money.ts';
import type { Organization, User } from '../../src/platform/db/schema.ts';
import { createInvoice } from '../../src/modules/invoices/invoice-engine.ts';
import { topUpWallet } from '../../src/modules/ledger/wallets.service.ts';
import { json, PASSWORD, sessionFor, type Api, type TestContext } from '../support/app.ts';

export interface PortalFixtures {
  /** A subscriber created by staff through the API, with a phone and an e-mail. */
  subscriber(org: Organization, name?: string): Promise<{ id: string; accountNumber: string; name: string }>;
  /** A portal login for the subscriber, made by staff through the API, and its signed-in session. */
  customer(subscriberId: string): Promise<{ user: User; api: Api; email: string }>;
  /** An invoice of one untaxed line of `amount` minor units (KES), issued (or a draft) through the invoice engine. */
  invoice(org: Organization, subscriberId: string, amount: bigint, opts?: { draft?: boolean; description?: string }): Promise<{ id: string; number: string | null }>;
  /** Cash paid into the subscriber's wallet, as the ledger records it. */
  topUp(org: Organization, subscriberId: string, amount: bigint, reference: string): Promise<void>;
}

export function portalFixtures(t: TestContext, staff: Api): PortalFixtures {
  return {
    async subscriber(org, name = `Amina Otieno ${crypto.randomUUID().slice(0, 4)}`) {
      const res = await staff.post('/api/subscribers', {
        organizationId: org.id,
        name,
        contacts: [
          { kind: 'phone', value: '0712 345 678' },
          { kind: 'email', value: `${crypto.randomUUID().slice(0, 8)}@example.test` },
        ],
      });
      expect(res.statusCode, res.body).toBe(201);
      return json(res);
    },

    async customer(subscriberId) {
      const email = `customer.${crypto.randomUUID().slice(0, 8)}@example.test`;
      const res = await staff.post(`/api/subscribers/${subscriberId}/portal-login`, { email, password: PASSWORD });
      expect(res.statusCode, res.body).toBe(201);
      const user = await t.ctx.db.selectFrom('users').selectAll().where('id', '=', json(res).user.id).executeTakeFirstOrThrow();
      return { user, api: await sessionFor(t, user), email };
    },

    async invoice(org, subscriberId, amount, opts = {}) {
      const invoice = await t.ctx.db.transaction().execute((trx) =>
        createInvoice(trx, t.clock, {
          organizationId: org.id,
          subscriberId,
          currency: 'KES',
          source: 'manual',
          mode: opts.draft ? 'draft' : 'issue',
          lines: [
            {
              kind: 'manual',
              serviceType: 'installation',
              description: opts.description ?? 'Installation',
              quantity: '1',
              unitPrice: formatMoney({ minor: amount, currency: 'KES' }),
              amount,
              net: amount,
              taxes: [],
              gross: amount,
            },
          ],
        }),
      );
      return { id: invoice.id, number: invoice.number };
    },

    async topUp(org, subscriberId, amount, reference) {
      await t.ctx.db.transaction().execute((trx) =>
        topUpWallet(trx, t.clock, { organizationId: org.id, subscriberId, currency: 'KES' }, {
          amount: { minor: amount, currency: 'KES' },
          via: { kind: 'cash' },
          idempotencyKey: `test-top-up:${reference}`,
          memo: `Cash ${reference}`,
        }),
      );
    },
  };
}
