/** Where the demo's progress goes: stdout, or stderr with --json (stdout is for the summary). */
export interface Terminal {
  /** A progress line stamped with the seconds since the demo started. */
  line(text: string): void;
  /** A line without a stamp (headers, the timeline). */
  plain(text: string): void;
}

/** A terminal writing to `out`, stamping lines relative to `startedAt`. */
export function createTerminal(out: NodeJS.WritableStream, startedAt: number): Terminal {
  return {
    line(text) {
      const s = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
      out.write(`[${s}s] ${text}\n`);
    },
    plain(text) {
      out.write(`${text}\n`);
    },
  };
}
