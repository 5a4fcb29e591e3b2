import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoad } from '../../src/load/load-generator';

describe('the load generator', () => {
  let server: Server;
  let url: string;
  let arrivals = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      arrivals += 1;
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the rate it is set to, evenly, and a new rate from setRate on', async () => {
    arrivals = 0;
    const load = startLoad(url, 20);
    // The timer catches up on what is due, so the count follows elapsed time even when late.
    const t0 = performance.now();
    await sleep(1_000);
    const first = load.totals().requests;
    const firstSeconds = (performance.now() - t0) / 1000;
    load.setRate(200);
    const t1 = performance.now();
    await sleep(1_000);
    await load.stop();
    const second = load.totals().requests - first;
    const secondSeconds = (performance.now() - t1) / 1000;
    expect(Math.abs(first - 20 * firstSeconds)).toBeLessThanOrEqual(3);
    // A surge: ten times the rate. Loose bounds: outcomes, not a stopwatch.
    expect(second / secondSeconds).toBeGreaterThan(100);
    expect(load.totals().requests).toBe(arrivals);
    expect(() => load.setRate(0)).toThrow('rate must be > 0');
  });

  it('sends Poisson arrivals at the mean rate (independent gaps, not a fixed period)', async () => {
    arrivals = 0;
    const load = startLoad(url, 100, 200, 'poisson');
    await sleep(1_500);
    await load.stop();
    const total = load.totals().requests;
    // Mean 150 over 1.5 s; a Poisson count lies within 150 ± 5 sd (61) with near certainty.
    expect(total).toBeGreaterThan(89);
    expect(total).toBeLessThan(212);
  });
});
