/** Pure helpers of the reconciliation screens. */

/** Statement amount minus payment amount, exactly, as a decimal string ("2300.00", "-0.75"). */
export function amountDifference(lineAmount: string, paymentAmount: string): string {
  const digits = Math.max(lineAmount.split('.')[1]?.length ?? 0, paymentAmount.split('.')[1]?.length ?? 0);
  const minor = (s: string) => {
    const [whole = '0', frac = ''] = s.replace('-', '').split('.');
    const v = BigInt(whole + frac.padEnd(digits, '0'));
    return s.startsWith('-') ? -v : v;
  };
  const diff = minor(lineAmount) - minor(paymentAmount);
  const abs = (diff < 0n ? -diff : diff).toString().padStart(digits + 1, '0');
  const text = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return diff < 0n ? `-${text}` : text;
}

/** The first and last day of the last `days` days, as 'YYYY-MM-DD' in the browser's calendar. */
export function lastDays(days: number, today = new Date()): { from: string; to: string } {
  const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const from = new Date(today);
  from.setDate(from.getDate() - (days - 1));
  return { from: iso(from), to: iso(today) };
}
