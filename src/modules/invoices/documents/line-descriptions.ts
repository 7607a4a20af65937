import type { Formatter } from './format.ts';
import { fill, type Locale } from './labels.ts';

/**
 * Invoice line descriptions by the keys src/core and the billing modules put on lines
 * (`invoiceLine.*`), with their details ({unit}, {days}, {from}…) filled in. A tier without an
 * upper bound uses the `.open` variant.
 */
const descriptions: Record<string, Record<Locale, string>> = {
  'invoiceLine.fixedCharge': { en: 'Plan price', bn: 'প্যাকেজের মূল্য', sw: 'Bei ya kifurushi', fr: 'Prix du forfait', ar: 'سعر الباقة' },
  'invoiceLine.dailyCharge': { en: 'Daily charge', bn: 'দৈনিক চার্জ', sw: 'Tozo la kila siku', fr: 'Frais journaliers', ar: 'رسم يومي' },
  'invoiceLine.usage.perUnit': {
    en: 'Use beyond the included {included} {unit}',
    bn: 'অন্তর্ভুক্ত {included} {unit}-এর বেশি ব্যবহার',
    sw: 'Matumizi zaidi ya {included} {unit} zilizojumuishwa',
    fr: 'Consommation au-delà des {included} {unit} inclus',
    ar: 'استخدام يتجاوز {included} {unit} المشمولة',
  },
  'invoiceLine.usage.graduatedTier': {
    en: 'Use ({unit}), tier {from}–{to}',
    bn: 'ব্যবহার ({unit}), ধাপ {from}–{to}',
    sw: 'Matumizi ({unit}), ngazi {from}–{to}',
    fr: 'Consommation ({unit}), palier {from}–{to}',
    ar: 'استخدام ({unit})، شريحة {from}–{to}',
  },
  'invoiceLine.usage.graduatedTier.open': {
    en: 'Use ({unit}), tier above {from}',
    bn: 'ব্যবহার ({unit}), {from}-এর ওপরের ধাপ',
    sw: 'Matumizi ({unit}), ngazi zaidi ya {from}',
    fr: 'Consommation ({unit}), palier au-delà de {from}',
    ar: 'استخدام ({unit})، شريحة فوق {from}',
  },
  'invoiceLine.usage.volumeTier': {
    en: 'Use ({unit}), volume tier {from}–{to}',
    bn: 'ব্যবহার ({unit}), পরিমাণভিত্তিক ধাপ {from}–{to}',
    sw: 'Matumizi ({unit}), ngazi ya wingi {from}–{to}',
    fr: 'Consommation ({unit}), palier de volume {from}–{to}',
    ar: 'استخدام ({unit})، شريحة حسب الكمية {from}–{to}',
  },
  'invoiceLine.usage.volumeTier.open': {
    en: 'Use ({unit}), volume tier above {from}',
    bn: 'ব্যবহার ({unit}), {from}-এর ওপরের পরিমাণভিত্তিক ধাপ',
    sw: 'Matumizi ({unit}), ngazi ya wingi zaidi ya {from}',
    fr: 'Consommation ({unit}), palier de volume au-delà de {from}',
    ar: 'استخدام ({unit})، شريحة حسب الكمية فوق {from}',
  },
  'invoiceLine.usage.minimum': {
    en: 'Top-up to the minimum of {minimum}',
    bn: 'সর্বনিম্ন {minimum} পর্যন্ত পূরণ',
    sw: 'Nyongeza hadi kiasi cha chini cha {minimum}',
    fr: "Complément jusqu'au minimum de {minimum}",
    ar: 'استكمال حتى الحد الأدنى {minimum}',
  },
  'invoiceLine.activation': {
    en: 'Service from activation ({days} of {daysInPeriod} days)',
    bn: 'সক্রিয়করণ থেকে সেবা ({daysInPeriod} দিনের মধ্যে {days} দিন)',
    sw: 'Huduma tangu kuwashwa (siku {days} kati ya {daysInPeriod})',
    fr: "Service depuis l'activation ({days} jours sur {daysInPeriod})",
    ar: 'الخدمة منذ التفعيل ({days} من {daysInPeriod} يومًا)',
  },
  'invoiceLine.planChange.credit': {
    en: 'Credit for the unused days of the old plan ({days} of {daysInPeriod} days)',
    bn: 'পুরোনো প্যাকেজের অব্যবহৃত দিনের ক্রেডিট ({daysInPeriod} দিনের মধ্যে {days} দিন)',
    sw: 'Marejesho ya siku zisizotumika za kifurushi cha zamani (siku {days} kati ya {daysInPeriod})',
    fr: "Avoir pour les jours non utilisés de l'ancien forfait ({days} jours sur {daysInPeriod})",
    ar: 'رصيد الأيام غير المستخدمة من الباقة السابقة ({days} من {daysInPeriod} يومًا)',
  },
  'invoiceLine.planChange.charge': {
    en: 'New plan for the rest of the period ({days} of {daysInPeriod} days)',
    bn: 'বাকি মেয়াদের জন্য নতুন প্যাকেজ ({daysInPeriod} দিনের মধ্যে {days} দিন)',
    sw: 'Kifurushi kipya kwa muda uliobaki (siku {days} kati ya {daysInPeriod})',
    fr: 'Nouveau forfait pour le reste de la période ({days} jours sur {daysInPeriod})',
    ar: 'الباقة الجديدة لبقية الفترة ({days} من {daysInPeriod} يومًا)',
  },
  'invoiceLine.planChange.usedCredit': {
    en: 'New plan not in use for {days} of {daysInPeriod} days (credit)',
    bn: 'নতুন প্যাকেজ {daysInPeriod} দিনের মধ্যে {days} দিন ব্যবহৃত হয়নি (ক্রেডিট)',
    sw: 'Kifurushi kipya hakikutumika siku {days} kati ya {daysInPeriod} (marejesho)',
    fr: 'Nouveau forfait non utilisé {days} jours sur {daysInPeriod} (avoir)',
    ar: 'الباقة الجديدة غير مستخدمة {days} من {daysInPeriod} يومًا (رصيد)',
  },
  'invoiceLine.planChange.usedCharge': {
    en: 'Old plan used for {days} of {daysInPeriod} days',
    bn: 'পুরোনো প্যাকেজ {daysInPeriod} দিনের মধ্যে {days} দিন ব্যবহৃত',
    sw: 'Kifurushi cha zamani kilitumika siku {days} kati ya {daysInPeriod}',
    fr: 'Ancien forfait utilisé {days} jours sur {daysInPeriod}',
    ar: 'الباقة السابقة مستخدمة {days} من {daysInPeriod} يومًا',
  },
  'invoiceLine.period.before': {
    en: 'Part of the period before the change ({days} of {daysInPeriod} days)',
    bn: 'পরিবর্তনের আগের অংশ ({daysInPeriod} দিনের মধ্যে {days} দিন)',
    sw: 'Sehemu ya kipindi kabla ya mabadiliko (siku {days} kati ya {daysInPeriod})',
    fr: 'Partie de la période avant le changement ({days} jours sur {daysInPeriod})',
    ar: 'جزء الفترة قبل التغيير ({days} من {daysInPeriod} يومًا)',
  },
  'invoiceLine.period.after': {
    en: 'Part of the period from the change ({days} of {daysInPeriod} days)',
    bn: 'পরিবর্তনের পরের অংশ ({daysInPeriod} দিনের মধ্যে {days} দিন)',
    sw: 'Sehemu ya kipindi tangu mabadiliko (siku {days} kati ya {daysInPeriod})',
    fr: 'Partie de la période à partir du changement ({days} jours sur {daysInPeriod})',
    ar: 'جزء الفترة بعد التغيير ({days} من {daysInPeriod} يومًا)',
  },
  'invoiceLine.penalty': {
    en: 'Late payment penalty: invoice {invoice} due {dueDate}',
    bn: 'বিলম্বে পরিশোধের জরিমানা: ইনভয়েস {invoice}, পরিশোধের শেষ তারিখ {dueDate}',
    sw: 'Adhabu ya kuchelewa kulipa: ankara {invoice} iliyopaswa kulipwa {dueDate}',
    fr: 'Pénalité de retard : facture {invoice} échue le {dueDate}',
    ar: 'غرامة تأخير السداد: الفاتورة {invoice} المستحقة في {dueDate}',
  },
  'invoiceLine.manual': { en: 'Charge', bn: 'চার্জ', sw: 'Tozo', fr: 'Frais', ar: 'رسم' },
  'invoiceLine.recurring.combined': { en: 'Service charges', bn: 'সেবার চার্জ', sw: 'Tozo za huduma', fr: 'Frais de service', ar: 'رسوم الخدمة' },
  'invoiceLine.usage.combined': { en: 'Usage charges', bn: 'ব্যবহারের চার্জ', sw: 'Tozo za matumizi', fr: 'Frais de consommation', ar: 'رسوم الاستخدام' },
};

export const describedKeys = Object.keys(descriptions);

const numeric = /^-?\d+(\.\d+)?$/;

/** Detail values as the reader's language writes them: numbers with its digits, dates in its format. */
function localDetails(details: Readonly<Record<string, string>>, fmt: Formatter, currency: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(details)) {
    if (k === 'minimum' && numeric.test(v)) out[k] = fmt.money(v, currency);
    else if (k === 'dueDate' && /^\d{4}-\d{2}-\d{2}$/.test(v)) out[k] = fmt.date(v);
    else out[k] = numeric.test(v) ? fmt.decimal(v) : v;
  }
  return out;
}

/** The translated description of a key with its details; the key itself when nobody translated it. */
export function describeKey(key: string, details: Readonly<Record<string, string>>, locale: Locale, fmt: Formatter, currency: string): string {
  const variant = details.to === '' && descriptions[`${key}.open`] ? `${key}.open` : key;
  const table = descriptions[variant];
  if (!table) return key;
  return fill(table[locale], localDetails(details, fmt, currency));
}

interface CombinedPart {
  descriptionKey: string;
  details?: Record<string, string>;
  amount: string;
}

function parts(details: Readonly<Record<string, string>>): CombinedPart[] {
  try {
    const parsed: unknown = JSON.parse(details.parts ?? '[]');
    return Array.isArray(parsed) ? (parsed as CombinedPart[]).filter((p) => typeof p?.descriptionKey === 'string' && typeof p.amount === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * What the description cell of a line shows: the line's own description when it has one (typed by
 * staff, or set by the module that made the line), else the translation of its key. A line that
 * combines several charges lists them underneath with their amounts.
 */
export function describeLine(
  line: { description: string; description_key: string | null; details: Readonly<Record<string, string>> },
  locale: Locale,
  fmt: Formatter,
  currency: string,
): { text: string; note: string } {
  const text = line.description || (line.description_key ? describeKey(line.description_key, line.details, locale, fmt, currency) : '');
  const combined = parts(line.details).map((p) => `${describeKey(p.descriptionKey, p.details ?? {}, locale, fmt, currency)}: ${fmt.money(p.amount, currency)}`);
  return { text, note: combined.join('\n') };
}
