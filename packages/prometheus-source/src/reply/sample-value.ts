const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a sample value as Prometheus sends it (a string). `"NaN"`, `"+Inf"`, `"Inf"` and
 * `"-Inf"` are mapped explicitly because `Number("+Inf")` is NaN in JavaScript; other backends'
 * spellings (`inf`, `Infinity`) are accepted too. Anything that is not a number in text form
 * (an empty string, `0x10`, a JSON number instead of a string) yields `undefined`: the reply is
 * not the API's envelope.
 */
export function parseSampleValue(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (/^nan$/i.test(text)) return Number.NaN;
  const inf = /^([+-]?)inf(?:inity)?$/i.exec(text);
  if (inf !== null) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (!FLOAT.test(text)) return undefined;
  return Number(text);
}

/** Float Unix seconds from the API to epoch ms (rounded to the ms Prometheus stores). */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.round(value * 1000);
}
