import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ArtifactRef, PortContext } from '@rollgate/core';
import { SimulatedClock } from '@rollgate/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeployerExecutor, type ReadinessGateOptions } from '../../src/index';
import { buildDeployPath, ctx, shaOf, simpleSpec, tempRoot } from '../support/deploy-path';

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

let root: string;
let cleanup: () => Promise<void>;
const servers: Server[] = [];

beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await cleanup();
});

/** A loopback HTTP server; `hits()` counts requests. */
async function serve(
  handler: Handler,
): Promise<{ url: string; hits: () => number; headers: () => IncomingMessage['headers'][] }> {
  let hit = 0;
  const seen: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    hit++;
    seen.push(req.headers);
    handler(req, res, hit);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/health`, hits: () => hit, headers: () => seen };
}

const target: ArtifactRef = { id: `2@${shaOf('2')}` };

let built = 0;
async function gateExecutor(gate: ReadinessGateOptions, clock?: SimulatedClock) {
  const deployPath = await buildDeployPath(root, simpleSpec(2), `app-${++built}`);
  return createDeployerExecutor({ mode: 'local', deployPath, gate, ...(clock ? { clock } : {}) });
}

const reply =
  (status: number, body = '') =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  };

describe('readiness gate against real HTTP servers', () => {
  it('passes after N consecutive 2xx rounds on every URL', async () => {
    const a = await serve(reply(200, 'ok'));
    const b = await serve(reply(204));
    const executor = await gateExecutor({ urls: [a.url, b.url], consecutive: 3, intervalMs: 10 });
    const gate = await executor.awaitReady(target, ctx());
    expect(gate.ok).toBe(true);
    if (gate.ok) expect(gate.value.detail).toContain('3 consecutive probe rounds passed');
    expect(a.hits()).toBe(3);
    expect(b.hits()).toBe(3);
  });

  it('restarts the streak after a failure: a service that recovers passes, a flapping one never does', async () => {
    const recovering = await serve((req, res, hit) => reply(hit <= 2 ? 503 : 200, 'x')(req, res));
    const ok = await gateExecutor({ urls: [recovering.url], consecutive: 3, intervalMs: 10 });
    expect((await ok.awaitReady(target, ctx())).ok).toBe(true);
    expect(recovering.hits()).toBe(5);

    const flapping = await serve((req, res, hit) => reply(hit % 2 === 0 ? 503 : 200, 'flap')(req, res));
    const flap = await gateExecutor({ urls: [flapping.url], consecutive: 2, intervalMs: 10, timeoutMs: 600 });
    const gate = await flap.awaitReady(target, ctx());
    expect(gate.ok).toBe(false);
    if (!gate.ok) {
      expect(gate.error.code).toBe('GATE_FAILED');
      expect(gate.error.message).toMatch(/last probe: http:\/\/127\.0\.0\.1:\d+\/health -> (200|503) "flap"/);
      expect(gate.error.details.rounds).toBeGreaterThanOrEqual(3);
      expect(flapping.hits()).toBeGreaterThanOrEqual(gate.error.details.rounds as number);
    }
  });

  it('checks the body with a substring or a RegExp', async () => {
    const server = await serve(reply(200, '{"status":"starting"}'));
    const substring = await gateExecutor({
      urls: [server.url],
      expectBody: '"status":"ok"',
      intervalMs: 10,
      timeoutMs: 200,
    });
    const miss = await substring.awaitReady(target, ctx());
    expect(!miss.ok && miss.error.message).toContain('expected the body to contain "\\"status\\":\\"ok\\""');
    const regex = await gateExecutor({
      urls: [server.url],
      expectBody: /"status":"(ok|starting)"/g,
      consecutive: 2,
      intervalMs: 10,
    });
    expect((await regex.awaitReady(target, ctx())).ok).toBe(true);
  });

  it('fails at its timeout with what the last probe saw when nothing answers', async () => {
    const down = await serve(reply(200));
    const url = down.url;
    const s = servers.pop() as Server;
    await new Promise((r) => s.close(r));
    const executor = await gateExecutor({ urls: [url], intervalMs: 20, timeoutMs: 300 });
    const started = Date.now();
    const gate = await executor.awaitReady(target, ctx());
    expect(!gate.ok && gate.error.code).toBe('GATE_FAILED');
    expect(!gate.ok && gate.error.message).toContain('no reply (ECONNREFUSED)');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out a hanging probe and ends at ctx.deadline with TIMEOUT', async () => {
    const hanging = await serve(() => {
      // Never answers.
    });
    const executor = await gateExecutor({
      urls: [hanging.url],
      probeTimeoutMs: 100,
      intervalMs: 10,
      timeoutMs: 60_000,
    });
    const gate = await executor.awaitReady(target, ctx(400));
    expect(gate.ok).toBe(false);
    if (!gate.ok) {
      expect(gate.error.code).toBe('TIMEOUT');
      expect(gate.error.retryable).toBe(true);
      expect(gate.error.message).toMatch(/no reply \(timed out after \d+ ms\)/);
    }
  });

  it('stops at once when ctx.signal aborts, even mid-request', async () => {
    const hanging = await serve(() => {});
    const executor = await gateExecutor({ urls: [hanging.url], probeTimeoutMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const gate = await executor.awaitReady(target, {
      signal: controller.signal,
      deadline: Date.now() + 30_000,
    });
    expect(!gate.ok && gate.error.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not follow redirects: a 302 to a login page is not ready', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: '/login' });
      res.end();
    });
    const executor = await gateExecutor({ urls: [server.url], intervalMs: 10, timeoutMs: 150 });
    const gate = await executor.awaitReady(target, ctx());
    expect(!gate.ok && gate.error.message).toContain('-> 302');
  });

  it('sends URL credentials and headers but never shows them', async () => {
    const server = await serve(reply(500, 'nope'));
    const secretUrl = `${server.url.replace('http://', 'http://probe:hunter2-secret@')}?token=qs-secret-value`;
    const executor = await gateExecutor({
      urls: [secretUrl],
      headers: { 'x-health-token': 'header-secret-value' },
      intervalMs: 10,
      // Long enough for at least one probe to reach the server on a loaded machine.
      timeoutMs: 1_500,
    });
    const gate = await executor.awaitReady(target, ctx());
    expect(gate.ok).toBe(false);
    // toJSON carries the message and details (lastProbe): everything an audit record would keep.
    const shown = JSON.stringify(gate.ok ? gate.value : gate.error.toJSON());
    for (const secret of ['hunter2-secret', 'qs-secret-value', 'header-secret-value'])
      expect(shown).not.toContain(secret);
    const [first] = server.headers();
    expect(first?.authorization).toBe(`Basic ${Buffer.from('probe:hunter2-secret').toString('base64')}`);
    expect(first?.['x-health-token']).toBe('header-secret-value');
  });

  it('resolves TIMEOUT at once when the deadline already passed by the injected clock', async () => {
    const clock = new SimulatedClock(5_000);
    const server = await serve(reply(200));
    const executor = await gateExecutor({ urls: [server.url] }, clock);
    const late: PortContext = { signal: new AbortController().signal, deadline: 4_000 };
    const gate = await executor.awaitReady(target, late);
    expect(!gate.ok && gate.error.code).toBe('TIMEOUT');
    expect(server.hits()).toBe(0);
  });

  it('fails before probing when current is not the target', async () => {
    const server = await serve(reply(200));
    const executor = await gateExecutor({ urls: [server.url] });
    const gate = await executor.awaitReady({ id: `1@${shaOf('1')}` }, ctx());
    expect(!gate.ok && gate.error.code).toBe('GATE_FAILED');
    expect(server.hits()).toBe(0);
  });
});
