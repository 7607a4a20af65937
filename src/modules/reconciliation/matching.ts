/**
 * Automatic matching of statement lines to payments, as a pure decision: a line matches the payment
 * with its transaction id; failing that, the one payment with its reference, amount and a time
 * within the window. Two candidates for a line, or two lines wanting one payment, are ambiguous
 * and left for staff. A gateway line whose transaction id names no payment at all is a lost
 * callback.
 */
export interface LineToMatch {
  readonly id: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly postedAt: Date;
  readonly transactionId: string | null;
  readonly reference: string | null;
}

export interface PaymentCandidate {
  readonly id: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly receivedAt: Date;
  readonly transactionId: string;
  readonly reference: string | null;
}

export type MatchDecision =
  | { readonly lineId: string; readonly kind: 'match'; readonly paymentId: string; readonly method: 'transaction_id' | 'reference' }
  | { readonly lineId: string; readonly kind: 'ambiguous' }
  | { readonly lineId: string; readonly kind: 'none' };

const key = (s: string | null) => (s ? s.trim().toLowerCase() : '');

function push<T>(map: Map<string, T[]>, k: string, v: T): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/** `payments` are the payments of the statement's channels not matched to any line yet. */
export function decideMatches(lines: readonly LineToMatch[], payments: readonly PaymentCandidate[], windowMs: number): MatchDecision[] {
  const byTransaction = new Map<string, PaymentCandidate[]>();
  for (const p of payments) push(byTransaction, key(p.transactionId), p);
  const taken = new Set<string>();
  const decisions = new Map<string, MatchDecision>();

  for (const line of lines) {
    if (!line.transactionId) continue;
    const found = (byTransaction.get(key(line.transactionId)) ?? []).filter((p) => p.currency === line.currency);
    if (found.length === 1 && !taken.has(found[0]!.id)) {
      taken.add(found[0]!.id);
      decisions.set(line.id, { lineId: line.id, kind: 'match', paymentId: found[0]!.id, method: 'transaction_id' });
    } else if (found.length > 1) decisions.set(line.id, { lineId: line.id, kind: 'ambiguous' });
  }

  // Candidates are looked up by amount first: a month's statement against a month's payments stays linear.
  const byAmount = new Map<string, PaymentCandidate[]>();
  for (const p of payments) push(byAmount, `${p.currency} ${p.amount}`, p);
  const wanted = new Map<string, string[]>();
  const candidatesOf = new Map<string, PaymentCandidate[]>();
  for (const line of lines) {
    if (decisions.has(line.id) || !line.reference) continue;
    const ref = key(line.reference);
    const candidates = (byAmount.get(`${line.currency} ${line.amount}`) ?? []).filter(
      (p) => !taken.has(p.id) && (key(p.reference) === ref || key(p.transactionId) === ref) && Math.abs(p.receivedAt.getTime() - line.postedAt.getTime()) <= windowMs,
    );
    candidatesOf.set(line.id, candidates);
    if (candidates.length === 1) push(wanted, candidates[0]!.id, line.id);
  }
  for (const [lineId, candidates] of candidatesOf) {
    if (candidates.length === 0) continue;
    const only = candidates[0]!;
    if (candidates.length === 1 && wanted.get(only.id)!.length === 1)
      decisions.set(lineId, { lineId, kind: 'match', paymentId: only.id, method: 'reference' });
    else decisions.set(lineId, { lineId, kind: 'ambiguous' });
  }
  return lines.map((l) => decisions.get(l.id) ?? { lineId: l.id, kind: 'none' });
}
