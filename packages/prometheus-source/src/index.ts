export { create } from './create';
export type { ScrapeClassifyContext } from './exposition/classify-scrape';
export { classifyScrape } from './exposition/classify-scrape';
export type {
  ExpositionMetricType,
  ExpositionParseError,
  ExpositionParseResult,
  ExpositionSample,
} from './exposition/exposition-parser';
export { parseExposition } from './exposition/exposition-parser';
export type {
  ExpositionScrapeRound,
  ExpositionSource,
  ExpositionSourceStats,
  ExpositionTargetHealth,
} from './exposition/exposition-source';
export { createExpositionSource } from './exposition/exposition-source';
export type { HistogramBucket } from './exposition/histogram-quantile';
export { histogramQuantile } from './exposition/histogram-quantile';
// Everything the light options entry point exports (the schemas and the option types).
export * from './options/index';
export type { PrometheusSource } from './prometheus-source';
export { createPrometheusSource } from './prometheus-source';
export { bucketBoundaryPattern, bucketBoundarySpellings } from './promql/bucket-boundary';
export { escapeLabelValue, LABEL_NAME_PATTERN, QueryBuildError } from './promql/label-matchers';
export type { ResolvedMetricNames } from './promql/metric-names';
export { DEFAULT_METRIC_NAMES, resolveMetricNames } from './promql/metric-names';
export { buildPromql, counterIncrease } from './promql/query-builders';
export type { ClassifyContext } from './reply/classify';
export { classify } from './reply/classify';
export type { PrometheusReply, RawSample, RawSeries } from './reply/envelope';
export { parseSampleValue } from './reply/sample-value';
