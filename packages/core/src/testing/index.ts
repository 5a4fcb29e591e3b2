export { flushPromises, SimulatedClock } from './simulated-clock';
