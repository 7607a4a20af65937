/**
 * Duplicate detection (RFC 5080 §2.2.2): a NAS that retransmits sends the same identifier and
 * authenticator from the same source; the server answers from the cached reply and does not run
 * the policy or the accounting sink again. Entries live `windowMs`.
 */
export type DuplicateState = { kind: 'new' } | { kind: 'in-progress' } | { kind: 'answered'; reply: Buffer };

interface Entry {
  authenticator: Buffer;
  reply: Buffer | null;
  at: number;
}

export class DuplicateCache {
  private readonly entries = new Map<string, Entry>();
  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 200_000,
  ) {}

  /** Marks a request as seen; says whether it is new, still being answered, or answered. */
  begin(key: string, authenticator: Buffer, now: number): DuplicateState {
    const entry = this.entries.get(key);
    if (entry && now - entry.at < this.windowMs && entry.authenticator.equals(authenticator)) {
      return entry.reply ? { kind: 'answered', reply: entry.reply } : { kind: 'in-progress' };
    }
    this.entries.delete(key);
    this.entries.set(key, { authenticator: Buffer.from(authenticator), reply: null, at: now });
    if (this.entries.size > this.maxEntries) this.sweep(now, true);
    return { kind: 'new' };
  }

  answered(key: string, reply: Buffer) {
    const entry = this.entries.get(key);
    if (entry) entry.reply = reply;
  }

  /** Forgets a request that got no reply, so the NAS's retransmission is processed afresh. */
  forget(key: string) {
    this.entries.delete(key);
  }

  /** Drops expired entries (Map order is insertion order, oldest first). */
  sweep(now: number, evictOldest = false) {
    for (const [key, entry] of this.entries) {
      if (now - entry.at < this.windowMs && !(evictOldest && this.entries.size > this.maxEntries)) break;
      this.entries.delete(key);
    }
  }

  get size() {
    return this.entries.size;
  }
}

/** At most one log line per key and interval, with the count of what was suppressed. */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(private readonly intervalMs: number) {}

  /** Returns the number of suppressed lines to report, or null when this one is suppressed. */
  allow(key: string, now: number): number | null {
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return null;
    }
    if (this.last.size > 10_000) this.last.clear();
    this.last.set(key, { at: now, suppressed: 0 });
    return seen?.suppressed ?? 0;
  }
}
