import type { MetricRequest } from '@rollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusSource } from '../src/index';
import { type LoopbackServer, startHangingServer } from './integration/loopback-servers';

const request: MetricRequest = {
  query: { measure: 'ready', selector: {} },
  start: 1_000,
  end: 1_000,
  stepMs: 1_000,
};
let hanging: LoopbackServer;

beforeAll(async () => {
  hanging = await startHangingServer();
});
afterAll(async () => {
  await hanging.close();
});

describe('dispose', () => {
  it('closes its own pool even with a read stuck in flight, and that read resolves to an error', async () => {
    const source = createPrometheusSource({ url: hanging.url });
    const pending = source.read(request, {
      signal: new AbortController().signal,
      deadline: Date.now() + 60_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await source.dispose();
    expect(Date.now() - started).toBeLessThan(3_000);
    const result = await pending;
    expect(result.status).toBe('error');
    if (result.status === 'error') expect(result.error.code).toBe('SOURCE_UNAVAILABLE');
    await expect(source.dispose()).resolves.toBeUndefined();
  });
});
