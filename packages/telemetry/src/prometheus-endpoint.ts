import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** Options of {@link servePrometheusMetrics}. */
export interface PrometheusEndpointOptions {
  /** Interface to listen on, e.g. `127.0.0.1` or `0.0.0.0`. */
  readonly host: string;
  /** Port; 0 picks a free one (see `url`). */
  readonly port: number;
  /** Path of the exposition (default `/metrics`). */
  readonly endpoint?: string;
  /** `service.name` of the resource (default `rollgate`). */
  readonly serviceName?: string;
}

/** A running endpoint: the provider to record into, where it serves, and how to stop it. */
export interface PrometheusEndpoint {
  readonly meterProvider: MeterProvider;
  /** `http://host:port/metrics`. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Serves a MeterProvider's metrics in Prometheus' text exposition format (the OpenTelemetry
 * Prometheus exporter: counters get `_total`, histograms `_bucket`, `_sum` and `_count`).
 * Rejects when the port cannot be bound, naming it.
 */
export async function servePrometheusMetrics(
  options: PrometheusEndpointOptions,
): Promise<PrometheusEndpoint> {
  const endpoint = options.endpoint ?? '/metrics';
  const exporter = new PrometheusExporter({
    host: options.host,
    port: options.port,
    endpoint,
    preventServerStart: true,
    withoutScopeInfo: true,
  });
  try {
    await exporter.startServer();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(
      `cannot serve metrics on ${options.host}:${options.port} (${code}); choose another --metrics-listen address`,
    );
  }
  const server = (exporter as unknown as { _server: import('node:http').Server })._server;
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'rollgate' }),
    readers: [exporter],
  });
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    meterProvider,
    url: `http://${host}:${port}${endpoint}`,
    port,
    async stop() {
      await meterProvider.shutdown();
    },
  };
}
