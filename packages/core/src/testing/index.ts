export { SimulatedClock, flushPromises } from './simulated-clock';
export { MemoryMetricSource, stepsFromArrays } from './memory-source';
export type { MemorySourceOptions, StepData } from './memory-source';
export {
  arbAwkwardNumber,
  arbContract,
  arbReadResult,
  arbSample,
  arbSeries,
  arbSignal,
  arbStepData,
} from './arbitraries';
