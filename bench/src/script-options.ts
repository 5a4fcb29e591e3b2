/**
 * `--name N` options of the hand-run measurement scripts (fleet-compare.ts, evaluator-compare.ts,
 * stats-floor.ts). Each option read is taken out of `args`, so what is left are the positional
 * arguments (e.g. the checkouts to compare).
 */
export function positiveIntegerOption(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  args.splice(at, 2);
  return value;
}
