import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExposition } from '@rollgate/prometheus-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployPath, type DeployPath } from '../../src/deploy/deploy-path';
import { BAD_RELEASE, GOOD_RELEASE } from '../../src/service/release-behaviour';
import { type ShopService, startShopService } from '../../src/service/shop-service';

describe('the shop service on a Deployer deploy_path', () => {
  let dir: string;
  let deploy: DeployPath;
  let service: ShopService;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollgate-shop-test-'));
    deploy = await createDeployPath(dir);
    await deploy.addRelease('1', { version: 'v1', ...GOOD_RELEASE });
    await deploy.addRelease('2', {
      version: 'v2',
      ...BAD_RELEASE,
      fault: { afterSeconds: 0.3, errorRate: 1, latencyFactor: 2 },
    });
    await deploy.switchTo('1');
    service = await startShopService(deploy.path);
  });
  afterAll(async () => {
    await service?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lays the deploy_path out as Deployer does', async () => {
    const { readFile, readlink } = await import('node:fs/promises');
    expect(await readlink(join(deploy.path, 'current'))).toBe('releases/1');
    const log = (await readFile(join(deploy.path, '.dep', 'releases_log'), 'utf8')).trim().split('\n');
    expect(log.map((l) => JSON.parse(l) as { release_name: string; target: string })).toMatchObject([
      { release_name: '1', target: 'v1' },
      { release_name: '2', target: 'v2' },
    ]);
    expect((await readFile(join(deploy.path, 'releases', '2', 'REVISION'), 'utf8')).trim()).toMatch(
      /^[0-9a-f]{40}$/,
    );
  });

  it('serves whatever current points to at once, and its fault starts after the delay', async () => {
    const get = async (path: string) => {
      const r = await fetch(`${service.url}${path}`);
      return { status: r.status, body: (await r.json()) as { release?: string; status?: string } };
    };
    expect(await get('/checkout')).toMatchObject({ body: { release: '1' } });
    expect(await get('/healthz')).toEqual({
      status: 200,
      body: { status: 'ok', release: '1', version: 'v1' },
    });
    await deploy.switchTo('2');
    const first = await get('/checkout');
    expect(first.body.release).toBe('2');
    await new Promise((r) => setTimeout(r, 350));
    expect((await get('/checkout')).status).toBe(500); // errorRate 1 once the fault is on
    expect((await get('/healthz')).body).toEqual({ status: 'ok', release: '2', version: 'v2' }); // health stays green
    await deploy.switchTo('1');
    expect((await get('/checkout')).body.release).toBe('1');
    const state = service.state();
    expect(state.switches.map((s) => s.release)).toEqual(['1', '2', '1']);
    expect(state.faultOnsets['2']).toBeGreaterThanOrEqual((state.switches[1]?.at ?? 0) + 300);
  });

  it('exposes Prometheus text exposition with the names Rollgate reads by default', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const parsed = parseExposition(text);
    expect(parsed.errors).toEqual([]);
    const names = new Set(parsed.samples.map((s) => s.name));
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_count',
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'process_start_time_seconds',
    ]) {
      expect(names.has(name), name).toBe(true);
    }
    const codes = parsed.samples.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.code);
    expect(codes).toEqual(expect.arrayContaining(['200', '500']));
    const buckets = parsed.samples.filter((s) => s.name === 'http_request_duration_seconds_bucket');
    expect(buckets.map((b) => b.labels.le)).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '+Inf',
    ]);
    const counts = buckets.map((b) => b.value);
    expect(counts).toEqual([...counts].sort((a, b) => a - b)); // cumulative
    const total = parsed.samples.find((s) => s.name === 'http_request_duration_seconds_count')?.value;
    expect(counts.at(-1)).toBe(total);
    expect(total).toBe(service.state().requests);
  });

  it('leaks memory while a leaking release serves, and keeps a second-by-second record', async () => {
    await deploy.addRelease('3', {
      version: 'v3',
      ...GOOD_RELEASE,
      fault: { afterSeconds: 0.1, leakBytesPerSecond: 8 * 1024 * 1024 },
    });
    const before = process.memoryUsage().arrayBuffers;
    await deploy.switchTo('3');
    await fetch(`${service.url}/checkout`).then((r) => r.arrayBuffer());
    await new Promise((r) => setTimeout(r, 2_600));
    // At least two one-second ticks of 8 MiB each, resident (Buffers count in arrayBuffers).
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    const state = service.state();
    expect(state.faultOnsets['3']).toBeGreaterThan(0);
    expect(state.seconds.length).toBeGreaterThan(0);
    expect(state.seconds.reduce((n, s) => n + s.requests, 0)).toBe(state.requests);
    await deploy.switchTo('1');
    await fetch(`${service.url}/checkout`).then((r) => r.arrayBuffer());
  });
});
