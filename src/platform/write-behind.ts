/**
 * A small write-behind queue: items arriving within one window are written together by one call
 * of the writer (one statement, one commit), and each caller's promise settles only when the batch
 * holding its item has committed, or failed; with what the writer answered for that item, when it
 * answers one result per item (RADIUS accounting answers nothing, a batch of payment callbacks
 * answers each callback's outcome). At most `maxInFlight` batches (default one) are in
 * flight; items arriving meanwhile form the next one, written as soon as one in flight ends, so under
 * load batches grow instead of queuing many small commits. With two in flight, one batch is written
 * while the other waits for its commit to reach the disk; the writer must then be safe to run
 * concurrently with itself (accounting sorts its rows so two batches lock them in the same order).
 */
export class WriteBehind<T, R = void> {
  #pending: { item: T; resolve: (result: R) => void; reject: (err: unknown) => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #flushing = new Set<Promise<void>>();

  constructor(
    private readonly write: (items: T[]) => Promise<readonly R[] | void>,
    private readonly opts: { windowMs: number; maxBatch: number; maxInFlight?: number },
  ) {}

  get #full(): boolean {
    return this.#flushing.size >= (this.opts.maxInFlight ?? 1);
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#pending.length >= this.opts.maxBatch) this.#kick(0);
      else this.#kick(this.opts.windowMs);
    });
  }

  /** Writes everything queued now; resolves when it is written (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#flushing.size > 0) {
      if (this.#pending.length > 0 && !this.#full) await this.#flush();
      else await Promise.race(this.#flushing).catch(() => undefined);
    }
  }

  #kick(delay: number): void {
    if (this.#full) return; // a batch in flight starts the next one when it ends
    if (this.#timer && delay > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#flush(), delay);
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    if (this.#full || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, this.opts.maxBatch);
    const flushing = this.write(batch.map((b) => b.item)).then(
      (results) => batch.forEach((b, i) => b.resolve(results?.[i] as R)),
      (err) => batch.forEach((b) => b.reject(err)),
    );
    this.#flushing.add(flushing);
    // Room for another batch in flight: what is already waiting goes at once if it fills one, else after a window.
    if (this.#pending.length > 0) this.#kick(this.#pending.length >= this.opts.maxBatch ? 0 : this.opts.windowMs);
    try {
      await flushing;
    } finally {
      this.#flushing.delete(flushing);
      // What arrived during the write has already waited a window or more: write it at once.
      if (this.#pending.length > 0) this.#kick(0);
    }
  }
}
