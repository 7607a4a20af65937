/**
 * A small write-behind queue: items arriving within one window are written together by one call
 * of the writer (one statement, one commit), and each caller's promise settles only when the batch
 * holding its item has committed, or failed. At most one batch is in flight; items arriving meanwhile
 * form the next one, written as soon as the one in flight ends, so under load batches grow instead
 * of queuing many small commits.
 */
export class WriteBehind<T> {
  #pending: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly opts: { windowMs: number; maxBatch: number },
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#pending.length >= this.opts.maxBatch) this.#kick(0);
      else this.#kick(this.opts.windowMs);
    });
  }

  /** Writes everything queued now; resolves when it is written (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#flushing) {
      if (this.#flushing) await this.#flushing.catch(() => undefined);
      else await this.#flush();
    }
  }

  #kick(delay: number): void {
    if (this.#flushing) return; // the batch in flight starts the next one when it ends
    if (this.#timer && delay > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#flush(), delay);
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    if (this.#flushing || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, this.opts.maxBatch);
    this.#flushing = this.write(batch.map((b) => b.item)).then(
      () => batch.forEach((b) => b.resolve()),
      (err) => batch.forEach((b) => b.reject(err)),
    );
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
      // What arrived during the write has already waited a window or more: write it at once.
      if (this.#pending.length > 0) this.#kick(0);
    }
  }
}
