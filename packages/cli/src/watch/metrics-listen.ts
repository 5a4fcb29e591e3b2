import type { Controller } from '@rollgate/core';
import { UsageError } from '../cli/usage-error';
import { loadAdapter } from '../wiring/load-adapter';

/** Where `--metrics-listen` serves: a host and a port. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `--metrics-listen`: `HOST:PORT` (`127.0.0.1:9464`, `0.0.0.0:9464`, `[::1]:9464`) or a
 * bare `PORT` (loopback only). A bad value is a usage error naming the flag and the fix.
 */
export function parseListenAddress(text: string, command = 'watch'): ListenAddress {
  const bad = () =>
    new UsageError(
      `--metrics-listen: expected HOST:PORT such as 127.0.0.1:9464 (or a port alone for loopback), got ${JSON.stringify(text)}.`,
      command,
    );
  const t = text.trim();
  let host = '127.0.0.1';
  let portText = t;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(t);
  if (bracketed) {
    host = bracketed[1] as string;
    portText = bracketed[2] as string;
  } else if (t.includes(':')) {
    const i = t.lastIndexOf(':');
    host = t.slice(0, i) || '127.0.0.1';
    portText = t.slice(i + 1);
    if (host.includes(':') || /\s/.test(host)) throw bad();
  }
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65_535) throw bad();
  return { host, port };
}

/** A metrics endpoint fed by a controller; `stop` ends the telemetry and closes the port. */
export interface MetricsServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serves the controller's metrics. `@rollgate/telemetry` (and OpenTelemetry with it) is loaded
 * only here, when the flag is given, so a watch without it starts as fast as before.
 */
export async function serveControllerMetrics(
  controller: Pick<Controller, 'events'>,
  address: ListenAddress,
  service: string,
): Promise<MetricsServer> {
  const [{ instrumentController }, { servePrometheusMetrics }] = await loadAdapter(
    '@rollgate/telemetry',
    '--metrics-listen',
    () => Promise.all([import('@rollgate/telemetry'), import('@rollgate/telemetry/prometheus')]),
  );
  const endpoint = await servePrometheusMetrics({
    host: address.host,
    port: address.port,
    serviceName: `rollgate ${service}`,
  });
  const telemetry = instrumentController(controller, { meterProvider: endpoint.meterProvider });
  return {
    url: endpoint.url,
    async stop() {
      telemetry.dispose();
      await endpoint.stop();
    },
  };
}
