/**
 * The shop's session cache: every request leaves a session of `bytesPerRequest` (small objects
 * and strings, as a real session holds), and the whole cache expires at once when it holds
 * `cacheBytes`. The sessions outlive the young generation, so the old-space heap fills and is
 * collected in a sawtooth, with RSS following it: the memory a healthy Node service really shows.
 */
export class SessionCache {
  #sessions: { readonly id: number; readonly items: string[] }[] = [];
  #bytes = 0;
  #next = 0;
  /** Flushes so far (for tests). */
  flushes = 0;

  constructor(readonly options: { readonly bytesPerRequest: number; readonly cacheBytes: number }) {}

  /** One request's session. */
  serve(): void {
    const items: string[] = [];
    // 128-character one-byte strings: about 144 bytes each on the V8 heap with the header.
    for (let kept = 0; kept < this.options.bytesPerRequest; kept += 144)
      items.push(`session ${this.#next} item ${kept} `.padEnd(128, String.fromCharCode(97 + (kept % 26))));
    this.#sessions.push({ id: this.#next++, items });
    this.#bytes += this.options.bytesPerRequest;
    if (this.#bytes >= this.options.cacheBytes) {
      this.#sessions = [];
      this.#bytes = 0;
      this.flushes += 1;
    }
  }

  /** Bytes held (as counted by the cache). */
  get bytes(): number {
    return this.#bytes;
  }
}
