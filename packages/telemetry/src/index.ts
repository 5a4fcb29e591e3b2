/**
 * `@rollgate/telemetry`: Rollgate's own metrics and spans through the OpenTelemetry API, fed by
 * a controller's events, so `@rollgate/core` stays free of it. `@rollgate/telemetry/prometheus`
 * serves them in Prometheus' exposition format. See docs/telemetry.md.
 */
export type { ControllerTelemetry, ControllerTelemetryOptions } from './controller-telemetry';
export { instrumentController, METRIC_NAMES, TELEMETRY_SCOPE } from './controller-telemetry';
