export { systemClock } from './system-clock';
