import { normalUpperTail } from './normal';
import { binomialUpperTail, logBeta } from './special-functions';

/**
 * A drifting baseline rate (docs/statistics.md, "Drifting baselines"). The baseline rate tests
 * treat the pre-deploy window's rate as one constant known up to binomial noise. A background
 * rate that wanders slowly (a daily cycle, a dependency's mood) breaks that: at high traffic
 * the binomial uncertainty of 180 000 requests is tiny, so a bake at the drift's high against a
 * window mostly at its low reads as a 30-50% regression, decisively. The window shows the
 * drift itself: its blocks of a few minutes vary more than binomial noise (and the step-level
 * burstiness) allows. Their between-block variance (a random effect, DerSimonian & Laird 1986)
 * is how far the level wanders on its own, so the rate the bake runs at is the window's mean
 * give or take that much too: the baseline's variance is inflated by it (its counts are weighed
 * as fewer requests, {@link driftShare}), which the test pays for where the evidence lies.
 *
 * The estimate is zero unless the blocks' homogeneity test rejects at `DRIFT_LEVEL`, so a
 * stationary baseline keeps its test exactly as it was (detection speed unchanged), and the
 * inflation is bounded (`MIN_DRIFT_EVENTS`), so a drifting baseline still catches a 2x fault.
 */

/** A block homogeneity p-value below this counts as drift (a stationary window passes 99%). */
export const DRIFT_LEVEL = 0.01;
/**
 * The fewest baseline events (after the dispersion) a drift may leave the test: 25 events still
 * exclude twice their rate (a Poisson log-likelihood ratio of 25 (1 - ln 2) = 7.7 nats, above the
 * 5.3 of alpha 0.005), so a 2x fault stays detectable on any drift.
 */
export const MIN_DRIFT_EVENTS = 25;
/**
 * A rising trend across the blocks (a one-degree-of-freedom score test, one-sided) beyond this
 * z also counts as drift, where the blocks' homogeneity test (five degrees of freedom spread over
 * every shape) misses it: a slow cycle seen over part of its rise reads as a steady climb, and
 * the bake continues it (docs/statistics.md, "A rising trend the homogeneity test misses").
 * 2.326 is one-sided 1%, the homogeneity gate's own level.
 */
export const DRIFT_TREND_Z = 2.326;
/** Fewest blocks the estimate is made from (fewer cannot tell a drift from one burst). */
export const MIN_DRIFT_BLOCKS = 3;

/** What the window says about drift. */
export interface DriftEstimate {
  /** Relative standard deviation of the block rates beyond binomial noise (0 when none). */
  readonly spread: number;
  /** Blocks the window was cut into, and their lowest and highest rate. */
  readonly blocks: number;
  readonly lowRate: number;
  readonly highRate: number;
  /** The blocks' homogeneity statistic (chi-square, blocks - 1 degrees of freedom) and p-value. */
  readonly chiSquare: number;
  readonly pValue: number;
}

/** No estimate: too few blocks or no events. */
const NONE: DriftEstimate = {
  spread: 0,
  blocks: 0,
  lowRate: 0,
  highRate: 0,
  chiSquare: 0,
  pValue: 1,
};

/**
 * Estimates the drift of a baseline window from its per-step counts, cut into `blocks`
 * contiguous blocks of equally many steps. `dispersion` (>= 1, the step-level overdispersion
 * the test already divides by) scales the binomial variance, so burstiness alone is not drift.
 */
export function estimateDrift(
  points: readonly { readonly events: number; readonly trials: number }[],
  blocks: number,
  dispersion = 1,
): DriftEstimate {
  const usable = points.filter(
    (p) => Number.isFinite(p.events) && Number.isFinite(p.trials) && p.trials > 0 && p.events >= 0,
  );
  const k = Math.min(Math.floor(blocks), usable.length);
  if (!(k >= MIN_DRIFT_BLOCKS)) return NONE;
  const events = new Float64Array(k);
  const trials = new Float64Array(k);
  for (let i = 0; i < usable.length; i++) {
    const p = usable[i] as { events: number; trials: number };
    const b = Math.min(k - 1, Math.floor((i * k) / usable.length));
    events[b] = (events[b] as number) + Math.min(p.events, p.trials);
    trials[b] = (trials[b] as number) + p.trials;
  }
  let e = 0;
  let n = 0;
  for (let b = 0; b < k; b++) {
    e += events[b] as number;
    n += trials[b] as number;
  }
  const rate = e / n;
  // Less than one event in the whole window cannot show a drift (and real counts are integers).
  if (!(e >= 1 && rate < 1)) return NONE;
  const phi = Math.max(1, dispersion);
  const unit = phi * rate * (1 - rate);
  // Q = sum w_b (r_b - r)^2 with w_b = n_b / unit; W and W2 the sums of w_b and w_b^2.
  let q = 0;
  let w = 0;
  let w2 = 0;
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (let b = 0; b < k; b++) {
    const nb = trials[b] as number;
    const r = (events[b] as number) / nb;
    const wb = nb / unit;
    q += wb * (r - rate) * (r - rate);
    w += wb;
    w2 += wb * wb;
    low = Math.min(low, r);
    high = Math.max(high, r);
  }
  const df = k - 1;
  const pValue = chiSquareUpperTail(q, df);
  const shown = { blocks: k, lowRate: low, highRate: high, chiSquare: q, pValue };
  if (pValue >= DRIFT_LEVEL) {
    const z = risingTrendZ(events, trials, unit);
    if (!(z > DRIFT_TREND_Z)) return { ...NONE, ...shown };
    // The trend's share of the between-block variance, unbiased: (z^2 - 1) units of its own noise.
    return { ...shown, pValue: normalUpperTail(z), spread: Math.sqrt(((z * z - 1) * unit) / n) / rate };
  }
  // DerSimonian–Laird: the between-block variance of the rate beyond the within-block one.
  const tau2 = Math.max(0, (q - df) / (w - w2 / w));
  return { ...shown, spread: Math.sqrt(tau2) / rate };
}

/**
 * The score statistic of a linear trend in the blocks' rates (Cochran-Armitage, the blocks at
 * times 0..k-1, their requests as weights): positive when the rate climbs through the window.
 * `unit` is the variance of one request's outcome (the dispersion included).
 */
function risingTrendZ(events: Float64Array, trials: Float64Array, unit: number): number {
  let n = 0;
  let e = 0;
  let tn = 0;
  for (let b = 0; b < events.length; b++) {
    n += trials[b] as number;
    e += events[b] as number;
    tn += b * (trials[b] as number);
  }
  const tMean = tn / n;
  const rate = e / n;
  let score = 0;
  let info = 0;
  for (let b = 0; b < events.length; b++) {
    const nb = trials[b] as number;
    score += (b - tMean) * ((events[b] as number) - nb * rate);
    info += nb * (b - tMean) * (b - tMean);
  }
  return info > 0 ? score / Math.sqrt(unit * info) : 0;
}

/**
 * The share of its requests a drifting baseline counts as (in (0, 1]): the baseline rate's
 * variance `phi p / N` plus the drift's `(spread p)^2` is the variance of `N'` requests with
 * `N' = N / (1 + N spread^2 p / phi)`; at most as few as leave `MIN_DRIFT_EVENTS` events (after
 * the dispersion `phi`), and never fewer than it already has. 1 without drift.
 */
export function driftShare(events: number, trials: number, spread: number, dispersion = 1): number {
  if (!(spread > 0 && trials > 0 && events > 0)) return 1;
  const phi = Math.max(1, dispersion);
  const rate = events / trials;
  const share = 1 / (1 + (trials * spread * spread * rate) / phi);
  const floor = Math.min(1, (MIN_DRIFT_EVENTS * phi) / events);
  return Math.max(share, floor);
}

/**
 * Upper tail of a chi-square with `df` degrees of freedom, by the Wilson–Hilferty cube-root
 * normal approximation (relative error of a few percent at the 1% level from 2 degrees of
 * freedom on, which is all a gate at `DRIFT_LEVEL` needs).
 */
export function chiSquareUpperTail(x: number, df: number): number {
  if (!(x > 0)) return 1;
  const v = 2 / (9 * df);
  const z = ((x / df) ** (1 / 3) - (1 - v)) / Math.sqrt(v);
  return normalUpperTail(z);
}

/** A log-linear trend of a count rate: `rate(t) = exp(logRate + slope (t - originT))`. */
export interface RateTrend {
  /** Log of the rate at `originT`. */
  readonly logRate: number;
  /** Change of the log rate per millisecond (0 for a flat level). */
  readonly slope: number;
  readonly originT: number;
}

/** Newton iterations of {@link fitRateTrend}: the Poisson log-likelihood is concave, a few do. */
const TREND_ITERATIONS = 30;

/**
 * The maximum-likelihood log-linear trend of per-interval counts (Poisson regression of the
 * events on the time, the requests as exposure): the slow trend a drift shows over a few
 * minutes, against which a step can be judged (docs/statistics.md, "A step at the deploy on a
 * drifting baseline"). `minSlope` bounds the slope from below (0: only a rising trend, so a
 * level that happens to fall within its own noise is never extrapolated below itself). Null
 * without events, with fewer than two distinct times, or when the likelihood has no maximum
 * (every event at the newest time).
 */
export function fitRateTrend(
  points: readonly TrendPoint[],
  originT: number,
  minSlope = Number.NEGATIVE_INFINITY,
): RateTrend | null {
  return fitUsable(usablePoints(points), originT, minSlope);
}

/** One interval of a trend fit: its time, events and requests. */
export interface TrendPoint {
  readonly t: number;
  readonly events: number;
  readonly trials: number;
}

/** The points a trend fit can use: with requests, events not negative, a finite time. */
function usablePoints(points: readonly TrendPoint[]): TrendPoint[] {
  return points.filter((p) => p.trials > 0 && p.events >= 0 && Number.isFinite(p.t));
}

/** {@link fitRateTrend} of points already filtered by {@link usablePoints}. */
function fitUsable(usable: readonly TrendPoint[], originT: number, minSlope: number): RateTrend | null {
  let events = 0;
  let trials = 0;
  let tLow = Number.POSITIVE_INFINITY;
  let tHigh = Number.NEGATIVE_INFINITY;
  for (const p of usable) {
    events += Math.min(p.events, p.trials);
    trials += p.trials;
    tLow = Math.min(tLow, p.t);
    tHigh = Math.max(tHigh, p.t);
  }
  if (!(events > 0) || !(tHigh > tLow)) return null;
  // Times in units of the span, centred, so the Newton steps are well scaled.
  const scale = tHigh - tLow;
  const centre = (tHigh + tLow) / 2;
  const start = Math.log(events / trials);
  // Plain Newton first (what every fit converged with before); where it does not settle, the
  // same iterations with each step halved until the likelihood rises: a full Newton step from
  // a flat start can overshoot when few trials sit far from the centre (events in the middle,
  // a large slope needed), and an unconverged fit would read as "no maximum".
  let fit = newtonTrend(usable, centre, scale, start, false);
  if (!fit.converged) fit = newtonTrend(usable, centre, scale, start, true);
  let a = fit.a;
  const { b, converged } = fit;
  let slope = b / scale;
  // No maximum (every event at the newest time: the slope runs off to infinity) is no trend,
  // unless the bound below holds it.
  if (!Number.isFinite(slope) || (!converged && slope > minSlope)) return null;
  if (slope < minSlope) {
    // The bound binds: the best level at that slope (the Poisson MLE of the intercept).
    slope = minSlope;
    let weighted = 0;
    for (const p of usable) weighted += p.trials * Math.exp(slope * (p.t - centre));
    a = Math.log(events / weighted);
  }
  return { logRate: a + slope * (originT - centre), slope, originT };
}

/** The Poisson log-likelihood of `log mu = a + b x` (constant terms left out). */
function trendLogLikelihood(
  points: readonly TrendPoint[],
  centre: number,
  scale: number,
  a: number,
  b: number,
): number {
  let sum = 0;
  for (const p of points) {
    const x = (p.t - centre) / scale;
    sum += Math.min(p.events, p.trials) * (a + b * x) - p.trials * Math.exp(a + b * x);
  }
  return sum;
}

/**
 * Newton's iterations for {@link fitRateTrend} from a flat start at log rate `a`; `damped`
 * halves a step (up to 40 times) until the log-likelihood does not fall.
 */
function newtonTrend(
  points: readonly TrendPoint[],
  centre: number,
  scale: number,
  start: number,
  damped: boolean,
): { a: number; b: number; converged: boolean } {
  let a = start;
  let b = 0;
  let converged = false;
  let current = damped ? trendLogLikelihood(points, centre, scale, a, b) : 0;
  for (let it = 0; it < TREND_ITERATIONS && !converged; it++) {
    let g0 = 0;
    let g1 = 0;
    let h00 = 0;
    let h01 = 0;
    let h11 = 0;
    for (const p of points) {
      const x = (p.t - centre) / scale;
      const mu = p.trials * Math.exp(a + b * x);
      const y = Math.min(p.events, p.trials);
      g0 += y - mu;
      g1 += (y - mu) * x;
      h00 += mu;
      h01 += mu * x;
      h11 += mu * x * x;
    }
    const det = h00 * h11 - h01 * h01;
    if (!(det > 0)) break;
    let da = (h11 * g0 - h01 * g1) / det;
    let db = (h00 * g1 - h01 * g0) / det;
    if (damped) {
      let next = trendLogLikelihood(points, centre, scale, a + da, b + db);
      for (let halvings = 0; !(next >= current) && halvings < 40; halvings++) {
        da /= 2;
        db /= 2;
        next = trendLogLikelihood(points, centre, scale, a + da, b + db);
      }
      current = next;
    }
    a += da;
    b += db;
    converged = Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10;
  }
  return { a, b, converged };
}

/** The most elevated stretch a {@link stepOnTrend} scan finds, and its p-value. */
export interface TrendStep {
  /** One-sided p-value of the best stretch times the number scanned (Bonferroni). */
  readonly p: number;
  /** The stretch runs from this time (exclusive: the end of the step before it) to the newest. */
  readonly fromT: number;
  readonly events: number;
  readonly trials: number;
  /** The events the trend fitted through every point expects in the stretch. */
  readonly expected: number;
  /** The fitted trend's change per minute (relative). */
  readonly perMinute: number;
}

/**
 * A step up in the level of a log-linear trend, the trend fitted through every point, the
 * stretches after `afterT` included (docs/statistics.md, "Climbs routed as incidents": the
 * repeated looks). Under the null the rate follows one log-linear trend from the first point to
 * the newest, so the slope is estimated with the bake's own data, not carried forward from
 * before it: its error does not grow with the bake (a step at the end pulls it up, which only
 * makes the test conservative). For each stretch from a step after `afterT` to the newest,
 * given every event, those of the stretch are Binomial(total, W_stretch / W_all) under the
 * trend, with W the requests weighed by the trend's shape (its level cancels), the counts
 * divided by `dispersion`: the one-sided exact p-value, the smallest times the number of
 * stretches (Bonferroni). Null without a fit or a stretch with events.
 *
 * With `level` (below 1), the answer only where the smallest p-value is at most `level`, else
 * null: the same stretch and figures as without it where it is, found with fewer exact tails. A
 * stretch whose tail is surely above `level` over the stretches ({@link tailSurelyAbove}: a
 * bound of a few logarithms against the continued fraction's hundred-odd iterations) cannot be
 * the smallest when that is at most `level`, so its exact tail is not computed (docs/statistics.md,
 * "Climbs routed as incidents": the repeated looks' cost).
 */
export function stepOnTrend(
  points: readonly TrendPoint[],
  afterT: number,
  dispersion = 1,
  level?: number,
): TrendStep | null {
  const usable = usablePoints(points);
  const fit = fitUsable(usable, afterT, Number.NEGATIVE_INFINITY);
  if (fit === null) return null;
  const weigh = (p: TrendPoint) => p.trials * Math.exp(fit.slope * (p.t - afterT));
  let allEvents = 0;
  let allWeight = 0;
  for (const p of usable) {
    allEvents += Math.min(p.events, p.trials);
    allWeight += weigh(p);
  }
  const phi = Math.max(1, dispersion);
  const stretches = usable.filter((p) => p.t > afterT).length;
  // A stretch's tail must be at most this for its p-value to be at most `level`.
  const bound = level !== undefined && level < 1 ? level / stretches : null;
  let events = 0;
  let trials = 0;
  let weight = 0;
  let best: TrendStep | null = null;
  for (let i = usable.length - 1; i >= 0 && (usable[i] as TrendPoint).t > afterT; i--) {
    const p = usable[i] as TrendPoint;
    events += Math.min(p.events, p.trials);
    trials += p.trials;
    weight += weigh(p);
    if (!(events > 0)) continue;
    if (bound !== null && tailSurelyAbove(events / phi, allEvents / phi, weight / allWeight, bound)) continue;
    const pv = Math.min(1, binomialUpperTail(events / phi, allEvents / phi, weight / allWeight) * stretches);
    const before = usable[i - 1];
    const fromT = before !== undefined && before.t > afterT ? before.t : afterT;
    if (best === null || pv < best.p) {
      const expected = (allEvents * weight) / allWeight;
      best = { p: pv, fromT, events, trials, expected, perMinute: Math.expm1(fit.slope * 60_000) };
    }
  }
  return bound === null || (best !== null && best.p <= (level as number)) ? best : null;
}

/** The largest count {@link tailSurelyAbove} judges: its tails' continued fraction converges far below it. */
const SURE_TAIL_MAX_COUNT = 1e9;

/**
 * Whether `binomialUpperTail(k, n, x)` (`I_x(k, n - k + 1)`) is surely above `bound`, by one of
 * two lower bounds on it, each with a margin of 2 for rounding (false where neither shows it):
 * - `I_x(a, b)` is `x^a (1 - x)^b / (a B(a, b))` times the hypergeometric series
 *   `F(a + b, 1; a + 1; x)` (DLMF 8.17.8), whose terms are all positive and the first 1, so it is
 *   at least `x^a (1 - x)^b / (a B(a, b))`: about the chance of exactly
 *   `k` events, which is above a p-value bound of 1e-7 for a count within some 4-5 standard
 *   deviations of what the trend expects;
 * - for `1 <= a <= b` the median of Beta(a, b) is at most its mean `a / (a + b)` (Payton, Young
 *   and Young 1989; `a = 1` and `a = b` directly), so `I_x(a, b) >= 1/2` for `x` at or above it:
 *   a stretch with no more events than its share.
 * False outside the range where the exact tail is a finite number below 1 (k above n, x at 0 or
 * 1, counts beyond {@link SURE_TAIL_MAX_COUNT}), so the exact tail is computed there as before.
 */
export function tailSurelyAbove(k: number, n: number, x: number, bound: number): boolean {
  if (!(k > 0 && k <= n && n <= SURE_TAIL_MAX_COUNT && x > 0 && x < 1 && bound >= 0)) return false;
  const a = k;
  const b = n - k + 1;
  if (a >= 1 && a <= b && x >= a / (a + b) && bound < 0.25) return true;
  const logFirst = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b) - Math.log(a);
  return logFirst > Math.log(2 * bound);
}

/**
 * How far a drift may carry the level from the window's last minutes into the bake's first
 * minutes (docs/statistics.md, "A step at the deploy on a drifting baseline's test"): the bake's
 * rate must stand above this many times the window's last {@link DRIFT_STEP_BLOCK_MS} to be a
 * step. A drift of +-20-60% over 20-90 min moves its level some 5-30% in the 3-8 minutes between
 * the two (0 of 767 healthy drifting windows drawn by the drift families exceeded 1.5x at any of
 * the looks); a fault of 2-5x the mean rate arriving with the deploy is a step of 1.7x and more.
 */
export const DRIFT_STEP_RATIO = 1.5;
/** The share of the window the bake's start is compared with: its last 5 minutes (one drift block). */
export const DRIFT_STEP_BLOCK_MS = 300_000;
/** The level of the step looks together (Bonferroni over {@link DRIFT_STEP_LOOKS_MS}). */
export const DRIFT_STEP_ALPHA = 0.001;
/** When the step is looked at: this long after the deploy (fixed before it, not chosen by the data). */
export const DRIFT_STEP_LOOKS_MS: readonly number[] = [60_000, 120_000, 180_000, 300_000];

/**
 * The one-sided exact conditional p-value of a step at the deploy on a drifting baseline: given
 * the events of the bake so far (`events` of `trials`) and of the window's last minutes
 * (`endEvents` of `endTrials`), the bake's are Binomial(total, R n / (R n + n_end)) when its rate
 * is `ratio` (R) times the window end's (Poisson counts), and stochastically fewer when it is
 * lower (H0: no step beyond what a drift moves). Counts given as the test weighs them: divide
 * both by the same dispersion first (the share does not change, the counts do). Null without
 * requests on either side or without a bake event.
 */
export function stepAtDeployP(
  events: number,
  trials: number,
  endEvents: number,
  endTrials: number,
  ratio = DRIFT_STEP_RATIO,
): number | null {
  if (!(trials > 0 && endTrials > 0 && events > 0 && endEvents >= 0 && ratio > 0)) return null;
  const bake = ratio * trials;
  return binomialUpperTail(events, events + endEvents, bake / (bake + endTrials));
}

/**
 * How far a drift may carry the bake's own level between its earlier minutes and its later ones
 * (docs/statistics.md, "A step inside the bake on a drifting baseline"): the rate since a split
 * must stand above this many times the rate before it to be a step. Wider than
 * {@link DRIFT_STEP_RATIO}: the two stretches' centres lie up to 7 minutes apart, where a drift
 * of +-60% over 20 min moves its level most. On 1,200 healthy DEV drift draws no pair's p-value
 * came within 50 times the level at 1.75x; at 1.5x the smallest was 2.1 times it.
 */
export const DRIFT_INBAKE_RATIO = 1.75;
/** The level of the in-bake looks together (Bonferroni over every split and look pair). */
export const DRIFT_INBAKE_ALPHA = 0.001;
/**
 * Where the bake is split (ms after the deploy, fixed before it): the counts so far are marked
 * there, and a later look compares the bake since a split with the bake before it.
 */
export const DRIFT_INBAKE_SPLITS_MS: readonly number[] = [
  60_000, 120_000, 180_000, 240_000, 300_000, 360_000,
];
/** When the bake since each split is looked at (ms after the deploy, fixed before it). */
export const DRIFT_INBAKE_LOOKS_MS: readonly number[] = [
  180_000, 240_000, 300_000, 360_000, 420_000, 480_000, 600_000, 720_000, 900_000,
];
/** The least time between a split and a look at it: the later stretch's own evidence. */
export const DRIFT_INBAKE_MIN_LATER_MS = 120_000;

/** The (split, look) pairs the in-bake looks test: each split at every look at least the minimum after it. */
export function driftInBakePairs(): number {
  let pairs = 0;
  for (const look of DRIFT_INBAKE_LOOKS_MS)
    for (const split of DRIFT_INBAKE_SPLITS_MS) if (look - split >= DRIFT_INBAKE_MIN_LATER_MS) pairs++;
  return pairs;
}
