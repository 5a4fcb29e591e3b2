export { averageLogEValues, splitAlpha } from './alpha-split';
export type {
  BaselineRateTestOptions,
  BaselineRateTestState,
  BoundBaselineRateTestState,
  JointBaselineRateTestState,
  RestartCopy,
  TailCap,
} from './baseline-rate-test';
export { createBaselineRateTest, TAIL_CAP_KAPPA } from './baseline-rate-test';
export { clopperPearsonLower, clopperPearsonUpper } from './binomial-bounds';
export type { ConcurrentRateTestOptions, ConcurrentRateTestState } from './concurrent-rate-test';
export { createConcurrentRateTest } from './concurrent-rate-test';
export { estimateDispersion, estimateLocalDispersion } from './dispersion';
export type { DriftEstimate } from './drift';
export { driftShare, estimateDrift } from './drift';
export type { ElevatedEpisode, ElevatedTail, EpisodeOptions, TailOptions } from './episode';
export { findElevatedEpisode, findElevatedTail, findRecentEnd } from './episode';
export type {
  CountPoint,
  GaugeOnsetEstimate,
  GaugeOnsetOptions,
  GaugePoint,
  OnsetEstimate,
  OnsetOptions,
  OnsetRange,
} from './onset';
export { estimateGaugeOnset, estimateOnset } from './onset';
export { DEFAULT_RATIOS } from './rate-mixture';
export type { RateTestFigures, RateTestState } from './rate-test';
export { rateTestFigures, summarizeRateTest, updateRateTest } from './rate-test';
export type {
  ConcurrentObservation,
  CountObservation,
  RateObservation,
  RateTestSummary,
  RatioInterval,
} from './rate-test-types';
export { DEFAULT_RESTART_SHARE } from './restart-schedule';
export type { SprtExpectedSecondsOptions, SprtOptions, SprtState } from './sprt';
export { createSprt, sprtExpectedSeconds } from './sprt';
