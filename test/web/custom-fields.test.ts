import { describe, expect, it } from 'vitest';
import { customFieldRecord, customFieldRows } from '../../web/src/features/subscribers/custom-fields.ts';

describe('subscriber custom fields in the form', () => {
  it('shows stored values as text and saves named rows only, trimmed', () => {
    const rows = customFieldRows({ routerSerial: 'HG8245-0042', floor: 3, vip: true, note: null });
    expect(rows).toEqual([
      { name: 'routerSerial', value: 'HG8245-0042' },
      { name: 'floor', value: '3' },
      { name: 'vip', value: 'true' },
      { name: 'note', value: '' },
    ]);
    expect(customFieldRecord([...rows, { name: '  ', value: 'dropped' }, { name: ' referral ', value: ' Amina ' }])).toEqual({
      routerSerial: 'HG8245-0042',
      floor: '3',
      vip: 'true',
      note: '',
      referral: 'Amina',
    });
    expect(customFieldRows(undefined)).toEqual([]);
  });
});
