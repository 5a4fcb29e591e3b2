import type { SerializedRollgateError } from '../errors/rollgate-error';

/**
 * `pass`: enough samples, within the contract. `breach`: enough samples, outside it.
 * `no-data`: empty, NaN, stale or below the sample floor. `error`: the source failed.
 * Only `pass` is evidence of health; `no-data` and `error` never count as pass.
 */
export type VerdictStatus = 'pass' | 'breach' | 'no-data' | 'error';

/** A time range in epoch ms, `start` exclusive, `end` inclusive. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** The test statistic behind a verdict, for the audit record. */
export interface TestStatistic {
  /** `log-e-value` (sequential tests), `log-likelihood-ratio` (SPRT), `t-stat` (trends). */
  readonly name: string;
  /** Null only in stored (JSON-safe) verdicts, for a value that was not finite. */
  readonly value: number | null;
  /** The verdict is `breach` when `value >= threshold`. */
  readonly threshold: number | null;
  readonly alpha?: number;
  /** New-version rate over baseline rate, and its confidence sequence (null bound: unbounded). */
  readonly ratioEstimate?: number | null;
  readonly ratioInterval?: {
    readonly lower: number | null;
    readonly upper: number | null;
    readonly level: number;
  } | null;
}

/** One rule's judgement of one signal (or one segment of it) at one evaluation. */
export interface Verdict {
  readonly status: VerdictStatus;
  readonly signal: string;
  /** The rule type that produced it (`static`, `sequential`, ...). */
  readonly rule: string;
  /** `label=value` for a per-segment verdict. */
  readonly segment?: string;
  /** The observed value (rate as a fraction, latency in ms, bytes/s, ready fraction); null when none. */
  readonly value: number | null;
  /** The bound the value was judged against; null when the rule has none (no-data, error). */
  readonly threshold: number | null;
  readonly window: TimeWindow;
  /** Requests behind the value for rate and latency signals; data points otherwise. */
  readonly samples: number;
  /** One human-readable sentence: what was seen against what was allowed. */
  readonly reason: string;
  readonly statistic?: TestStatistic;
  readonly error?: SerializedRollgateError;
  /** Latency count tests: the threshold (ms) whose exceedances were counted. */
  readonly exceedanceThresholdMs?: number;
  /**
   * Count tests: steps kept from the test because the service was under a load surge. Resource
   * trends: samples held out of the fit, taken under a surge or while settling after one.
   */
  readonly surgeHeldSteps?: number;
  /**
   * Verification: the test's breach rested on one burst (it does not reject without its worst
   * stretch), so it was not taken as "not recovered" (see signal-evaluation.ts).
   */
  readonly burstHeld?: boolean;
  /**
   * A no-data verdict for want of traffic only: the data is fresh but holds fewer samples than
   * the floor. More traffic would settle it; no other data problem stands in the way.
   */
  readonly insufficient?: { readonly samples: number; readonly needed: number };
}

/** JSON cannot hold ±Infinity or NaN: audit records and snapshots keep null instead. */
export function finiteOrNull(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

/**
 * The verdict with every non-finite number replaced by null, so that it survives JSON (state
 * snapshots, audit records). The reason sentence keeps the spelled-out value (`+Inf`).
 */
export function jsonSafeVerdict(v: Verdict): Verdict {
  const st = v.statistic;
  // Almost every verdict is JSON-safe already: it is then kept as it is (verdicts are
  // immutable), not copied at every evaluation of every signal.
  if (isJsonSafe(v)) return v;
  return {
    ...v,
    value: finiteOrNull(v.value),
    threshold: finiteOrNull(v.threshold),
    samples: Number.isFinite(v.samples) ? v.samples : 0,
    ...(st
      ? {
          statistic: {
            ...st,
            value: finiteOrNull(st.value),
            threshold: finiteOrNull(st.threshold),
            ...(st.ratioEstimate === undefined ? {} : { ratioEstimate: finiteOrNull(st.ratioEstimate) }),
            ...(st.ratioInterval
              ? {
                  ratioInterval: {
                    lower: finiteOrNull(st.ratioInterval.lower),
                    upper: finiteOrNull(st.ratioInterval.upper),
                    level: st.ratioInterval.level,
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}

const safeNumber = (x: number | null | undefined): boolean => x === null || Number.isFinite(x);

function isJsonSafe(v: Verdict): boolean {
  if (!safeNumber(v.value) || !safeNumber(v.threshold) || !Number.isFinite(v.samples)) return false;
  const st = v.statistic;
  if (st === undefined) return true;
  if (!safeNumber(st.value) || !safeNumber(st.threshold)) return false;
  if (st.ratioEstimate !== undefined && !safeNumber(st.ratioEstimate)) return false;
  const interval = st.ratioInterval;
  return !interval || (safeNumber(interval.lower) && safeNumber(interval.upper));
}

/** A span of `ms` milliseconds in minutes to one decimal, as reasons state an episode's span: `3.8 min`. */
export function showMinutes(ms: number): string {
  return `${show(Math.round(ms / 6_000) / 10)} min`;
}

/** Formats a value for a reason sentence, spelling out ±Inf. */
export function show(value: number | null, unit = ''): string {
  if (value === null || Number.isNaN(value)) return 'none';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  const abs = Math.abs(value);
  const text =
    abs !== 0 && (abs < 0.001 || abs >= 1e7)
      ? value.toExponential(3)
      : (roundedText(value, 4) ?? Number(value.toPrecision(4)).toString());
  return `${text}${unit}`;
}

/** Formats a rate (fraction) as a percentage for reasons. */
export function showRate(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return show(value);
  const percent = value * 100;
  return `${roundedText(percent, 3) ?? Number(percent.toPrecision(3))}%`;
}

/** `show(share * 100)`: a share as the number of a percentage, for reasons. */
export const showPercent = (share: number): string => show(share * 100);

/** How many texts one {@link shownOnce} map keeps before it starts over. */
const SHOWN_LIMIT = 256;

/**
 * `format(value)`, remembered in `texts`: for the numbers of a reason written at every step
 * that take few distinct values (a test's threshold and baseline rate, a health verdict's ready
 * share), since `show` costs about 190 ns a number (docs/benchmarks.md, "fleet-round9-issue-13").
 * Bounded: a process seeing many distinct values starts over rather than growing.
 */
export function shownOnce(
  texts: Map<number, string>,
  value: number,
  format: (value: number) => string,
): string {
  // -0 is formatted every time: a map does not tell it from 0, and their texts may differ.
  if (Object.is(value, -0)) return format(value);
  const known = texts.get(value);
  if (known !== undefined) return known;
  const text = format(value);
  if (texts.size >= SHOWN_LIMIT) texts.clear();
  texts.set(value, text);
  return text;
}

/** Exact powers of ten (every one up to 1e22 is a double), for {@link roundedText}. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * `Number(value.toPrecision(digits)).toString()` without its two conversions through text
 * (about 400 ns a call; reasons are written for every signal at every step, and the snapshot
 * keeps them: docs/benchmarks.md, "fleet-tick-issue-13"), or null where this shortcut cannot be
 * sure to give the same text, and the caller formats as before.
 *
 * `toPrecision` rounds the exact binary value to `digits` significant decimals; the result is
 * the double nearest to `n * 10^e` for an integer n of `digits` digits. Here n comes from a
 * scaled copy of the value (off by a few ulps at most), so only a value whose scaled fraction is
 * within 1e-6 of one half can round differently: those (and anything outside 1e-6 .. 1e15, where
 * the scale is not one exact power of ten) go the old way. The text of that double is n's digits
 * (see {@link decimalText}). A property test compares both on many values.
 */
export function roundedText(value: number, digits: number): string | null {
  const abs = Math.abs(value);
  if (!(abs >= 1e-6 && abs < 1e15)) return null;
  // The decimal exponent of the leading digit; log10 may be off by one next to a power of ten.
  let lead = Math.floor(Math.log10(abs));
  let shift = digits - 1 - lead;
  let scaled = scaleBy(abs, shift);
  const low = POWERS_OF_TEN[digits - 1] as number;
  if (scaled < low) {
    lead -= 1;
    shift += 1;
    scaled = scaleBy(abs, shift);
  } else if (scaled >= low * 10) {
    lead += 1;
    shift -= 1;
    scaled = scaleBy(abs, shift);
  }
  if (!(scaled >= low && scaled < low * 10)) return null;
  const whole = Math.floor(scaled);
  const fraction = scaled - whole;
  if (Math.abs(fraction - 0.5) < 1e-6) return null;
  return decimalText(value < 0, fraction > 0.5 ? whole + 1 : whole, shift);
}

/**
 * The text `toString` gives the double nearest to `n / 10^shift` (n a positive integer of at
 * most 5 digits, the value between 1e-6 and 1e21): its shortest round-trip digits are n's own
 * with the trailing zeros dropped (no shorter decimal is that close), written without exponent.
 */
function decimalText(negative: boolean, n: number, shift: number): string {
  let digits = n;
  let places = shift;
  while (digits % 10 === 0) {
    digits /= 10;
    places -= 1;
  }
  let text = String(digits);
  if (places <= 0) text += '0'.repeat(-places);
  else if (places < text.length)
    text = `${text.slice(0, text.length - places)}.${text.slice(text.length - places)}`;
  else text = `0.${'0'.repeat(places - text.length)}${text}`;
  return negative ? `-${text}` : text;
}

/** `abs * 10^shift`, dividing by the exact power for a negative shift. */
function scaleBy(abs: number, shift: number): number {
  const power = POWERS_OF_TEN[Math.abs(shift)] ?? Number.NaN;
  return shift >= 0 ? abs * power : abs / power;
}

/**
 * What the sources said was incomplete about these verdicts' reads (`SOURCE_PARTIAL_DATA`),
 * each warning once: a partial read is no evidence, and a reader should see why a signal holds.
 */
export function partialReadWarnings(verdicts: readonly Verdict[]): { warnings?: string[] } {
  const warnings = new Set<string>();
  for (const v of verdicts) {
    const listed = v.error?.code === 'SOURCE_PARTIAL_DATA' ? v.error.details?.warnings : undefined;
    if (Array.isArray(listed)) for (const w of listed) if (typeof w === 'string') warnings.add(w);
  }
  return warnings.size > 0 ? { warnings: [...warnings] } : {};
}
