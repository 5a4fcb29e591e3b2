/** One interval's counts for a one-sample test (baseline or SPRT). Non-integers are fine. */
export interface CountObservation {
  /** Events in the interval (errors, latency exceedances). */
  readonly events: number;
  /** Trials in the interval (requests). An interval with 0 trials changes nothing. */
  readonly trials: number;
  /**
   * A baseline test only: the events were capped at one for the interval (a burst cap of one),
   * so they are a Bernoulli count, whose likelihood-ratio factors keep an expectation of at
   * most 1 however the events cluster within the interval: the dispersion does not divide
   * them (docs/statistics.md, "Where the delay goes"). The baseline's counts still are.
   */
  readonly atMostOne?: boolean;
  /**
   * A baseline test only: the events were divided by this factor (> 1) before they were passed
   * (a load-surge step tested against `factor x tolerance`). The test weighs them as given; its
   * state also sums such steps' counts apart (`surged`), so that the look at the bake's end can
   * leave them out (rules/sequential-count.ts `finalLookP`).
   */
  readonly loadFactor?: number;
}

/** One interval's counts of the canary and of the stable fleet over the same interval. */
export interface ConcurrentObservation extends CountObservation {
  readonly baselineEvents: number;
  readonly baselineTrials: number;
}

/** Either kind of observation; the test's kind decides which fields it reads. */
export type RateObservation = CountObservation & {
  readonly baselineEvents?: number;
  readonly baselineTrials?: number;
};

/**
 * A confidence sequence for the rate ratio (new / baseline): it covers the true ratio at
 * every step simultaneously with probability at least `level`, so it may be read at any step.
 * `upper` is `Infinity` when the data cannot bound it yet (no baseline events).
 */
export interface RatioInterval {
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}

/** What a rate test says now: the statistic for the audit and the decision. */
export interface RateTestSummary {
  readonly kind: 'baseline' | 'concurrent' | 'sprt';
  /** Baseline tests only: `joint` or `bound`. */
  readonly method?: 'joint' | 'bound';
  /** log e-value (baseline, concurrent) or log likelihood ratio (SPRT). */
  readonly logE: number;
  /** log(1/alpha') where alpha' is the share of alpha the e-process spends. */
  readonly logThreshold: number;
  readonly alpha: number;
  /** Sticky: the statistic crossed the threshold at some step. */
  readonly rejected: boolean;
  /** The 1-based interval at which it first crossed; null when not rejected. */
  readonly rejectedAtUpdate: number | null;
  /** SPRT only: the log likelihood ratio fell to Wald's acceptance bound at some step (sticky). */
  readonly accepted?: boolean;
  /** Totals fed to the test (the new version's, or the canary's). */
  readonly events: number;
  readonly trials: number;
  /** Intervals with trials fed so far. */
  readonly updates: number;
  /** events / trials (0 before any trial). */
  readonly rate: number;
  /** The baseline's estimate: B/N0 (baseline), the stable fleet's pooled rate (concurrent), p0 (SPRT). */
  readonly baselineRate: number;
  /**
   * The rate the evidence is measured against: tolerance x bound (`bound`), the binding
   * candidate (`joint`), p0 (SPRT); null for the concurrent test, which has no null rate.
   */
  readonly nullRate: number | null;
  /** Point estimate of rate / baseline rate; null when it is undefined (no baseline events). */
  readonly ratioEstimate: number | null;
  /** Confidence sequence for the ratio at level 1 - alpha; null before any trial. */
  readonly ratioInterval: RatioInterval | null;
  /**
   * Baseline test with a grace (`graceEvents`): the events, as observed, that no copy of the
   * e-process counts as evidence (a busy host's handful). Absent when there is none.
   */
  readonly graceEvents?: number;
}
