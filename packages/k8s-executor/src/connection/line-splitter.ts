/** Incremental splitter for newline-delimited streams (watch events): bytes in, whole lines out. */
export interface LineSplitter {
  /** Feeds a chunk; returns the lines it completed (without the newline). */
  push(chunk: Uint8Array): string[];
  /** The unterminated rest, once the stream has ended. */
  end(): string;
}

/** Creates a {@link LineSplitter}. Multi-byte characters split across chunks decode correctly. */
export function splitLines(): LineSplitter {
  const decoder = new TextDecoder();
  let pending = '';
  return {
    push(chunk) {
      pending += decoder.decode(chunk, { stream: true });
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      return parts;
    },
    end() {
      const rest = pending + decoder.decode();
      pending = '';
      return rest;
    },
  };
}
