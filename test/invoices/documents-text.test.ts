import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Formatter } from '../../src/modules/invoices/documents/format.ts';
import { locales } from '../../src/modules/invoices/documents/labels.ts';
import { describedKeys, describeKey, describeLine } from '../../src/modules/invoices/documents/line-descriptions.ts';
import { drawText, isolate, layoutParagraph, layoutText, ltr, type Line } from '../../src/platform/pdf/text.ts';

/** Five points per character: line breaking without a font. */
const measure = (text: string) => [...text].length * 5;
const runsOf = (lines: Line[]) => lines.map((l) => l.runs.map((r) => [r.text, r.script, r.rtl ? 'rtl' : 'ltr']));
const spaces = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('text layout: bidi, scripts and line breaks', () => {
  it('a left-to-right line breaks between words and keeps one run per script', () => {
    expect(layoutParagraph('aaa bbb ccc', 'ltr', 40, measure).map((l) => [l.logical, l.width, l.runs.map((r) => r.text)])).toEqual([
      ['aaa bbb', 35, ['aaa bbb']],
      ['ccc', 15, ['ccc']],
    ]);
    expect(runsOf(layoutParagraph('Total মোট', 'ltr', 500, measure))).toEqual([[['Total ', 'latin', 'ltr'], ['মোট', 'bengali', 'ltr']]]);
  });

  it('a right-to-left line puts its first word at the right and numbers in it left to right', () => {
    expect(runsOf(layoutParagraph('مرحبا 123 عالم', 'rtl', 500, measure))).toEqual([
      [
        [' عالم', 'arabic', 'rtl'],
        ['123', 'arabic', 'ltr'],
        ['مرحبا ', 'arabic', 'rtl'],
      ],
    ]);
  });

  it('a wrapped right-to-left paragraph breaks in reading order: the first words on the first line', () => {
    const lines = layoutParagraph('واحد اثنان ثلاثة', 'rtl', 60, measure);
    expect(lines.map((l) => l.logical)).toEqual(['واحد اثنان', 'ثلاثة']);
    expect(runsOf(lines)).toEqual([[['واحد اثنان', 'arabic', 'rtl']], [['ثلاثة', 'arabic', 'rtl']]]);
  });

  it('brackets in right-to-left text are mirrored; an isolated left-to-right value stays whole', () => {
    expect(runsOf(layoutParagraph('مرحبا (عالم)', 'rtl', 500, measure))).toEqual([[['مرحبا )عالم(', 'arabic', 'rtl']]]);
    // Without the isolate UAX #9 shows "+254 700 000" as "000 700 254+" in an Arabic line.
    expect(runsOf(layoutParagraph(`الهاتف: ${ltr('+254 700 000')}`, 'rtl', 500, measure))).toEqual([
      [
        ['+254 700 000', 'latin', 'ltr'],
        ['الهاتف: ', 'arabic', 'rtl'],
      ],
    ]);
    expect(runsOf(layoutParagraph('الهاتف: +254 700 000', 'rtl', 500, measure))[0]!.map((r) => r[0])).toEqual(['000', ' ', '700', ' ', '254', 'الهاتف: +']);
  });

  it("'auto' takes a paragraph's direction from its first letters: English in an Arabic document stays left to right", () => {
    expect(runsOf(layoutText('Pay by M-PESA.\nادفع نقدًا.', 'auto', 500, measure))).toEqual([[['Pay by M-PESA.', 'latin', 'ltr']], [['ادفع نقدًا.', 'arabic', 'rtl']]]);
    expect(runsOf(layoutParagraph(`فاتورة إلى ${isolate('John Doe.')}`, 'rtl', 500, measure))[0]![0]).toEqual(['John Doe.', 'latin', 'ltr']);
  });

  it('fontkit reverses runs of a right-to-left script, so drawText hands it logical text, and pre-reverses what it would get wrong', () => {
    expect(drawText({ text: 'فاتورة', script: 'arabic', rtl: true })).toBe('فاتورة');
    expect(drawText({ text: '(-)', script: 'latin', rtl: true })).toBe(')-(');
    expect(drawText({ text: '١٢٣', script: 'arabic', rtl: false })).toBe('٣٢١');
    expect(drawText({ text: 'INV-1', script: 'latin', rtl: false })).toBe('INV-1');
  });

  it('a word wider than the line breaks between grapheme clusters, never inside a Bengali conjunct', () => {
    const word = 'সারসংক্ষেপসারসংক্ষেপ';
    const lines = layoutParagraph(word, 'ltr', 30, measure);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.map((l) => l.logical).join('')).toBe(word);
    const clusters = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(word)].map((g) => g.segment);
    for (const l of lines) expect(clusters.join('|').includes([...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(l.logical)].map((g) => g.segment).join('|'))).toBe(true);
  });
});

describe('formatting amounts, rates and dates', () => {
  it('formats minor units exactly, past what a double holds', () => {
    const en = new Formatter('en', 'Africa/Nairobi');
    expect(en.amount(123456789012345678901n, 'KES')).toBe('1,234,567,890,123,456,789.01');
    expect(en.amount(-5n, 'KES')).toBe('-0.05');
    expect(en.amount(1500n, 'JPY')).toBe('1,500');
    expect(en.amount(1500n, 'KWD')).toBe('1.500');
    expect(en.amount('0.4375', 'KES')).toBe('0.4375');
    expect(spaces(en.money(521316n, 'KES'))).toBe('KES 5,213.16');
    expect(spaces(new Formatter('fr', 'UTC').money(521316n, 'KES'))).toBe('5 213,16 KES');
    expect(new Formatter('bn', 'Asia/Dhaka').amount(12345678n, 'BDT')).toBe('১,২৩,৪৫৬.৭৮');
  });

  it('writes rates as percentages without dividing a float', () => {
    const en = new Formatter('en', 'UTC');
    expect([en.percent('16'), en.percent('7.5'), en.percent('0.125'), en.percent('100')]).toEqual(['16%', '7.5%', '0.125%', '100%']);
    expect(spaces(new Formatter('fr', 'UTC').percent('16'))).toBe('16 %');
  });

  it("shows a billing period's last day, the day before its exclusive end, in the organization's zone", () => {
    const nairobi = new Formatter('en', 'Africa/Nairobi');
    expect(nairobi.period(new Date('2024-02-29T21:00:00Z'), new Date('2024-03-31T21:00:00Z'))).toBe('Mar 1, 2024 – Mar 31, 2024');
    expect(nairobi.date('2026-03-05')).toBe('Mar 5, 2026');
  });
});

describe('line descriptions', () => {
  const en = new Formatter('en', 'UTC');
  it('translates keys with their details in every language', () => {
    const details = { unit: 'GB', included: '50' };
    expect(describeKey('invoiceLine.usage.perUnit', details, 'en', en, 'KES')).toBe('Use beyond the included 50 GB');
    expect(describeKey('invoiceLine.usage.perUnit', details, 'bn', new Formatter('bn', 'UTC'), 'BDT')).toBe('অন্তর্ভুক্ত ৫০ GB-এর বেশি ব্যবহার');
    expect(describeKey('invoiceLine.usage.perUnit', details, 'fr', new Formatter('fr', 'UTC'), 'KES')).toBe('Consommation au-delà des 50 GB inclus');
    expect(describeKey('invoiceLine.usage.graduatedTier', { unit: 'GB', from: '0', to: '100' }, 'en', en, 'KES')).toBe('Use (GB), tier 0–100');
    expect(describeKey('invoiceLine.usage.graduatedTier', { unit: 'GB', from: '100', to: '' }, 'en', en, 'KES')).toBe('Use (GB), tier above 100');
    expect(spaces(describeKey('invoiceLine.usage.minimum', { minimum: '500.00' }, 'en', en, 'KES'))).toBe('Top-up to the minimum of KES 500.00');
    expect(describeKey('invoiceLine.penalty', { invoice: 'INV-000007', dueDate: '2026-03-05' }, 'fr', new Formatter('fr', 'UTC'), 'KES')).toBe('Pénalité de retard : facture INV-000007 échue le 5 mars 2026');
    expect(describeKey('invoiceLine.planChange.credit', { days: '20', daysInPeriod: '30' }, 'sw', new Formatter('sw', 'UTC'), 'KES')).toBe(
      'Marejesho ya siku zisizotumika za kifurushi cha zamani (siku 20 kati ya 30)',
    );
    expect(describeKey('invoiceLine.noSuchThing', {}, 'en', en, 'KES')).toBe('invoiceLine.noSuchThing');
  });

  it('every key the billing code puts on a line has a description in all five languages', () => {
    const root = path.resolve(import.meta.dirname, '../../src');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const used = new Set(files.flatMap((f) => [...readFileSync(path.join(root, f), 'utf8').matchAll(/'(invoiceLine\.[A-Za-z.]+[A-Za-z])'/g)].map((m) => m[1]!)));
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((k) => !describedKeys.includes(k))).toEqual([]);
    for (const key of describedKeys) for (const locale of locales) expect(describeKey(key, {}, locale, new Formatter(locale, 'UTC'), 'KES')).not.toBe(key);
  });

  it("prefers the line's own description, and lists the charges a combined line holds", () => {
    expect(describeLine({ description: 'Home 10 Mbps', description_key: 'invoiceLine.fixedCharge', details: {} }, 'en', en, 'KES').text).toBe('Home 10 Mbps');
    const parts = JSON.stringify([
      { descriptionKey: 'invoiceLine.fixedCharge', details: {}, amount: '1500.00' },
      { descriptionKey: 'invoiceLine.usage.perUnit', details: { unit: 'GB', included: '50' }, amount: '18.00' },
    ]);
    const combined = describeLine({ description: '', description_key: 'invoiceLine.recurring.combined', details: { parts } }, 'en', en, 'KES');
    expect(combined.text).toBe('Service charges');
    expect(spaces(combined.note)).toBe('Plan price: KES 1,500.00\nUse beyond the included 50 GB: KES 18.00');
  });
});
