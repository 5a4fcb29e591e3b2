/**
 * The shop's session store: every request leaves a session of about `bytesPerRequest` (small
 * strings, as a real session holds) that expires `ttlSeconds` later. Sessions outlive V8's young
 * generation, so they are promoted to the old space and die there: the heap fills with garbage
 * until a mark-compact collects it, and heap and RSS follow the sawtooth of V8's own GC, as in a
 * real Node service (the application's memory stays level: arrivals and expiries balance).
 */
export class SessionCache {
  readonly #sessions: { readonly expiresAt: number; readonly items: string[] }[] = [];
  #bytes = 0;
  #next = 0;

  constructor(readonly options: { readonly bytesPerRequest: number; readonly ttlSeconds: number }) {}

  /** One request's session, at `now` (epoch ms); sessions past their time are dropped first. */
  serve(now = Date.now()): void {
    while ((this.#sessions[0]?.expiresAt ?? Number.POSITIVE_INFINITY) <= now) {
      this.#sessions.shift();
      this.#bytes -= this.options.bytesPerRequest;
    }
    const items: string[] = [];
    // 128-character one-byte strings: about 144 bytes each on the V8 heap with the header.
    for (let kept = 0; kept < this.options.bytesPerRequest; kept += 144)
      items.push(`session ${this.#next} item ${kept} `.padEnd(128, String.fromCharCode(97 + (kept % 26))));
    this.#next += 1;
    this.#sessions.push({ expiresAt: now + this.options.ttlSeconds * 1000, items });
    this.#bytes += this.options.bytesPerRequest;
  }

  /** Sessions held. */
  get size(): number {
    return this.#sessions.length;
  }

  /** Bytes held (as counted by the cache). */
  get bytes(): number {
    return this.#bytes;
  }
}
