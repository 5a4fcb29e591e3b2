/**
 * A column of times as the stored snapshot saves it (`rollgate.machine/v3`, v4): each time as the
 * difference from the one before, the first one absolute. Steps of a watch are a few seconds
 * apart, so the differences are short numbers where the epoch-ms times are thirteen digits.
 */
export function toDeltas(times: readonly number[]): number[] {
  // Built by push, so packed: JSON.stringify writes a holey array on its slow path.
  const out: number[] = [];
  let before = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    out.push(t - before);
    before = t;
  }
  return out;
}

/** The times of a column saved by {@link toDeltas}. */
export function fromDeltas(deltas: readonly number[]): number[] {
  const out: number[] = new Array(deltas.length);
  let at = 0;
  for (let i = 0; i < deltas.length; i++) {
    at += deltas[i] as number;
    out[i] = at;
  }
  return out;
}
