/**
 * `@rollgate/testkit/scenarios`: the example scenarios shipped with this package, and for tests
 * and the benchmark the scenario API of `@rollgate/core/scenarios` and `loadScenarios` from
 * `@rollgate/core/node`, re-exported (they live in core so the CLI needs no test package).
 */

export type { LoadedScenario, ScenarioFileResult, ScenarioLoadFailure } from '@rollgate/core/node';
export { loadScenarios, META_FILE_NAME } from '@rollgate/core/node';
export type {
  ContractOverrides,
  ControllerDecision,
  DecisionRecord,
  DecisionScore,
  ExpectedDecision,
  GeneratorFault,
  GeneratorMeta,
  ParseScenarioResult,
  ReplayResult,
  Scenario,
  ScenarioOutcome,
  ScenarioSeries,
  ScenarioTruth,
  ScoredScenario,
  SegmentSeries,
} from '@rollgate/core/scenarios';
export {
  ExpectedDecisionSchema,
  GeneratorFaultSchema,
  GeneratorMetaFileSchema,
  GeneratorMetaSchema,
  PROMETHEUS_DEFAULT_BUCKETS_MS,
  parseScenario,
  quantile,
  REPLAY_EPOCH_MS,
  replayScenario,
  SCENARIO_SCHEMA_ID,
  ScenarioSchema,
  ScenarioSeriesSchema,
  ScenarioTruthSchema,
  SegmentSeriesSchema,
  scenarioContract,
  scoreDecisions,
} from '@rollgate/core/scenarios';
export { EXAMPLE_SCENARIOS_DIR } from './examples-dir';
