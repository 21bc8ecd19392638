/**
 * One controller per write: the caller's signal or the deadline aborts everything the write still runs, so a
 * write is bounded whatever the SDK's retries (Retry-After is not capped by the SDK).
 */
export class WriteAbort {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #caller: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#controller.abort();
  #deadlineHit = false;

  constructor(
    readonly deadlineMs: number,
    caller?: AbortSignal,
  ) {
    this.#timer = setTimeout(() => {
      this.#deadlineHit = true;
      this.#controller.abort();
    }, deadlineMs);
    this.#caller = caller;
    if (caller?.aborted) this.#controller.abort();
    else caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Why the write stops (read once it is aborted). */
  get abortReason(): string {
    return this.#deadlineHit ? `deadline of ${this.deadlineMs} ms exceeded` : 'write aborted by caller';
  }

  /** The write is over: the timer and the caller's listener go. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#onCallerAbort);
  }
}
