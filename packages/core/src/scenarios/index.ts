/**
 * `@rollgate/core/scenarios`: the `rollgate.scenario/v1` format (schema and parser), replay of a
 * scenario through the real controller on a simulated clock, and decision scoring. Pure; reading
 * scenario files from disk is `loadScenarios` in `@rollgate/core/node`.
 */

export type { ControllerDecision } from '../machine/state-table';
export { quantile } from '../stats/order-statistics';
export type { GeneratorFault, GeneratorMeta } from './generator-meta';
export { GeneratorFaultSchema, GeneratorMetaFileSchema, GeneratorMetaSchema } from './generator-meta';
export type { ParseScenarioResult } from './parse-scenario';
export { parseScenario } from './parse-scenario';
export type { ContractOverrides, ReplayOptions, ReplayResult } from './replay-scenario';
export { REPLAY_EPOCH_MS, replayScenario, scenarioContract, scenarioSteps } from './replay-scenario';
export type {
  ExpectedDecision,
  Scenario,
  ScenarioSeries,
  ScenarioTruth,
  SegmentSeries,
} from './scenario-schema';
export {
  ExpectedDecisionSchema,
  PROMETHEUS_DEFAULT_BUCKETS_MS,
  SCENARIO_SCHEMA_ID,
  ScenarioSchema,
  ScenarioSeriesSchema,
  ScenarioTruthSchema,
  SegmentSeriesSchema,
} from './scenario-schema';
export type {
  DecisionRecord,
  DecisionScore,
  ScenarioOutcome,
  ScoredScenario,
} from './scoring';
export { scoreDecisions } from './scoring';
