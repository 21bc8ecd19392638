/**
 * A token bucket: `take()` resolves at a steady `rate` per second on average, with bursts of at most `burst`
 * (default a tenth of a second's worth, at least 1). It sleeps only when the bucket is empty, for as long as one
 * token takes to refill (or 1 ms), so high rates do not cost one timer per event.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  readonly burst: number;

  constructor(
    readonly rate: number,
    burst?: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rate > 0)) throw new Error('rate must be > 0');
    this.burst = burst ?? Math.max(1, rate / 10);
    this.#tokens = this.burst;
    this.#last = this.now();
  }

  #refill(): void {
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) / 1000) * this.rate);
    this.#last = t;
  }

  async take(): Promise<void> {
    this.#refill();
    while (this.#tokens < 1) {
      const waitMs = Math.max(1, ((1 - this.#tokens) / this.rate) * 1000);
      await new Promise((r) => setTimeout(r, waitMs));
      this.#refill();
    }
    this.#tokens -= 1;
  }
}
