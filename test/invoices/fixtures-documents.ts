import { expect } from 'vitest';
import type { Organization } from '../../src/platform/db/schema.ts';
import { json, type Api } from '../support/app.ts';

export interface InvoiceDetail {
  id: string;
  number: string | null;
  status: string;
  total: string;
  balanceDue: string;
  lines: { lineNo: number; net: string; tax: string; gross: string }[];
  allocations: { id: string; source: string; amount: string }[];
}

async function ok<T>(res: Promise<{ statusCode: number; body: string }>, status = 200): Promise<T> {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
  return json(r as never) as T;
}

/** What an ISP prints on its invoices: tax id, address and contacts, language, payment instructions and footer. */
export async function prepareOrganization(
  api: Api,
  org: Organization,
  o: { locale: string; taxId: string; address: string; contactPhone: string; contactEmail: string; paymentInstructions: string; invoiceFooter: string },
): Promise<void> {
  await ok(api.patch(`/api/organizations/${org.id}`, { locale: o.locale, taxId: o.taxId, address: o.address, contactPhone: o.contactPhone, contactEmail: o.contactEmail }));
  await ok(api.patch(`/api/billing/settings/${org.id}`, { paymentInstructions: o.paymentInstructions, invoiceFooter: o.invoiceFooter }));
}

export async function createSubscriber(api: Api, organizationId: string, name: string): Promise<{ id: string; accountNumber: string }> {
  return ok(
    api.post('/api/subscribers', {
      organizationId,
      name,
      contacts: [{ kind: 'phone', value: '0712345678' }],
      addresses: [{ line1: 'Kenyatta Avenue 4', city: 'Nairobi', country: 'KE' }],
    }),
    201,
  );
}

/** A 16% VAT added on top of prices. */
export async function createVat(api: Api): Promise<string> {
  const body = await ok<{ id: string }>(
    api.post('/api/tax-classes', { code: `VAT-${crypto.randomUUID().slice(0, 6)}`, name: 'VAT 16%', inclusive: false, rates: [{ code: 'VAT', percent: '16' }] }),
    201,
  );
  return body.id;
}

/**
 * The invoice the English tests read, worked by hand (KES, VAT 16% added):
 *   1. Home 10 Mbps, 1 × 2,500.00 → net 2,500.00, VAT 400.00, gross 2,900.00
 *   2. Router rental, 2 × 350.50 → net 701.00, VAT 112.16, gross 813.16
 *   3. Installation, 1 × 1,500.00, no tax → 1,500.00
 *   subtotal 4,701.00, tax 512.16, total 5,213.16
 */
export async function issueStandardInvoice(api: Api, subscriberId: string, vat: string): Promise<InvoiceDetail> {
  return ok(
    api.post('/api/invoices', {
      subscriberId,
      issue: true,
      memo: 'Thank you for choosing fibre.',
      lines: [
        { description: 'Home 10 Mbps', serviceType: 'pppoe', quantity: '1', unitPrice: '2500', taxClassId: vat },
        { description: 'Router rental', serviceType: 'equipment', quantity: '2', unitPrice: '350.50', taxClassId: vat },
        { description: 'Installation', serviceType: 'installation', quantity: '1', unitPrice: '1500' },
      ],
    }),
    201,
  );
}

/** Cash into the wallet, which pays unpaid invoices at once. */
export async function topUp(api: Api, subscriberId: string, amount: string): Promise<void> {
  await ok(api.post(`/api/subscribers/${subscriberId}/wallet/top-ups`, { amount, reference: `CASH-${crypto.randomUUID().slice(0, 8)}` }), 201);
}

export async function getInvoice(api: Api, id: string): Promise<InvoiceDetail> {
  return ok(api.get(`/api/invoices/${id}`));
}
