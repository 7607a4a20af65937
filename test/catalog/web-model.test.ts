import { describe, expect, it } from 'vitest';
import { bytesToGb, formatAmount, gbToBytes, versionBody, versionForm } from '../../web/src/features/plans/model.ts';

describe('the plan form model of the web app', () => {
  it('turns decimal gigabytes into bytes and back exactly, leaving non-numbers for the server to name', () => {
    expect(gbToBytes('500')).toBe('500000000000');
    expect(gbToBytes(' 1.5 ')).toBe('1500000000');
    expect(gbToBytes('0.000000001')).toBe('1');
    expect(gbToBytes('12,5')).toBe('12,5');
    expect(bytesToGb('500000000000')).toBe('500');
    expect(bytesToGb('1500000000')).toBe('1.5');
    expect(bytesToGb('1')).toBe('0.000000001');
    for (const gb of ['1', '2.25', '999999.999999999']) expect(bytesToGb(gbToBytes(gb))).toBe(gb);
  });

  it('shows amounts with at least the currency’s decimals and every decimal a unit price has', () => {
    expect(formatAmount('2500', 'KES', 'en')).toBe('KES\u00a02,500.00');
    expect(formatAmount('2155.17', 'KES', 'en')).toBe('KES\u00a02,155.17');
    expect(formatAmount('0.4375', 'USD', 'en')).toBe('$0.4375');
    expect(formatAmount('1500', 'JPY', 'en')).toBe('¥1,500');
  });

  it('sends only the fields the chosen cycle uses, speeds in kbps, and leaves an empty included quantity out', () => {
    const form = versionForm(undefined, 'KES');
    form.prices = [{ currency: 'KES', components: [{ kind: 'fixed', price: '2500' }, { kind: 'per-unit', unit: 'GB', price: '0.5', included: '' }] }];
    form.network = { ...form.network, downloadMbps: 10.5, uploadMbps: 5, dataQuotaGb: '100', throttle: true, throttleDownloadMbps: 1, throttleUploadMbps: 0.512 };
    const body = versionBody(form);
    expect(body.billing).toEqual({ cycle: 'monthly', alignment: 'anniversary', validityUnit: null, validityLength: null, timing: 'in_advance', graceDays: 0 });
    expect(body.prices[0]!.components).toEqual([{ kind: 'fixed', price: '2500' }, { kind: 'per-unit', unit: 'GB', price: '0.5' }]);
    expect(body.network).toEqual({
      download: { rateKbps: 10_500, burst: null },
      upload: { rateKbps: 5_000, burst: null },
      dataQuotaBytes: '100000000000',
      timeQuotaSeconds: null,
      throttle: { downloadKbps: 1_000, uploadKbps: 512 },
      ipPool: null,
      addressList: null,
    });
    expect(versionBody({ ...form, cycle: 'validity', validityUnit: 'hours', validityLength: 24 }).billing).toMatchObject({ alignment: null, validityUnit: 'hours', validityLength: 24 });
  });

  it('edits what a stored version holds: its form gives back the same version', () => {
    const stored = {
      id: '00000000-0000-4000-8000-000000000001',
      planId: '00000000-0000-4000-8000-000000000002',
      version: 3,
      validFrom: '2026-01-01T00:00:00.000Z',
      createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: null,
      billing: { cycle: 'quarterly' as const, alignment: 'calendar' as const, validityUnit: null, validityLength: null, timing: 'in_arrears' as const, graceDays: 7 },
      prices: [{ currency: 'BDT', components: [{ kind: 'fixed' as const, price: '1200' }] }],
      taxClassId: '00000000-0000-4000-8000-000000000003',
      network: {
        download: { rateKbps: 20_000, burst: { rateKbps: 40_000, thresholdKbps: 15_000, seconds: 16 } },
        upload: { rateKbps: 10_000, burst: { rateKbps: 20_000, thresholdKbps: 8_000, seconds: 16 } },
        dataQuotaBytes: '250000000000',
        timeQuotaSeconds: 36_000,
        throttle: { downloadKbps: 2_000, uploadKbps: 1_000 },
        ipPool: 'pool-home',
        addressList: 'fup',
      },
    };
    const { billing, prices, taxClassId, network } = stored;
    expect(versionBody(versionForm(stored, 'KES'))).toEqual({ billing, prices, taxClassId, network });
  });
});
