import { readFile, readlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { faultActive, parseReleaseBehaviour, planRequest, type ReleaseBehaviour } from './release-behaviour';
import { SecondStats, type ServiceSecond } from './second-stats';
import { SessionCache } from './session-cache';
import { ShopMetrics } from './shop-metrics';
import { WorkerPool } from './worker-pool';

/** A moment the service started serving another release, as its requests saw it. */
export interface ReleaseSwitch {
  readonly release: string;
  /** Epoch ms of the first request served by it. */
  readonly at: number;
}

/** What the service observed, served on `/_demo/state` for the demo's timeline. */
export interface ServiceState {
  readonly switches: readonly ReleaseSwitch[];
  /** Epoch ms of the first faulty request, per release. */
  readonly faultOnsets: Readonly<Record<string, number>>;
  readonly requests: number;
  /**
   * The service's own record, second by second (the last 15 minutes): requests, how many were
   * slow, and how late its event loop ran (CPU contention shows there, not in the release).
   */
  readonly seconds: readonly ServiceSecond[];
}

/** How the shop process runs, whatever release it serves. */
export interface ShopServiceOptions {
  readonly port?: number;
  /** Size of the in-memory product catalogue (see loadCatalogue). */
  readonly catalogueBytes?: number;
  /**
   * At most this many requests are worked on at once; the rest wait in line, as behind a
   * worker pool (PHP-FPM's `pm.max_children`, a connection pool). A traffic surge then queues
   * and latency rises with load, as in a real service. Default: no limit.
   */
  readonly workers?: number;
  /**
   * A session per request, kept `ttlSeconds`: they die in the old generation, so the heap (and
   * RSS) follows V8's GC sawtooth, as a real Node service's does. Default: none.
   */
  readonly sessions?: { readonly bytesPerRequest: number; readonly ttlSeconds: number };
}

/** A running shop service. */
export interface ShopService {
  readonly url: string;
  readonly port: number;
  /** Size of the in-memory product catalogue. */
  readonly catalogueBytes: number;
  state(): ServiceState;
  close(): Promise<void>;
}

/**
 * The product catalogue the shop keeps in memory, as real services keep caches: written once so
 * its pages are resident. It gives the process a production-like memory footprint, next to which
 * the allocator's normal jitter of a megabyte or two is small; in a bare 75 MB Node process the
 * same jitter over a 30 s window looks like a leak that doubles memory within the hour, which is
 * what Rollgate's memory-trend rule is there to catch.
 */
function loadCatalogue(bytes: number): Buffer {
  const catalogue = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i += 4096) catalogue[i] = i & 0xff;
  return catalogue;
}

/**
 * The demo's shop: an HTTP service that serves whatever Deployer's `current` symlink points
 * to, re-read on every request so a cutover takes effect at once. `GET /checkout` is the
 * application traffic (latency and failures follow the release's `release.json`), `/healthz`
 * the readiness probe, `/metrics` the Prometheus exposition.
 */
export async function startShopService(
  deployPath: string,
  options: ShopServiceOptions = {},
): Promise<ShopService> {
  const metrics = new ShopMetrics();
  const catalogue = loadCatalogue(options.catalogueBytes ?? 0);
  const behaviours = new Map<string, Promise<ReleaseBehaviour>>();
  const switches: ReleaseSwitch[] = [];
  const faultOnsets: Record<string, number> = {};
  let requests = 0;
  const seconds = new SecondStats();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const sessions = options.sessions ? new SessionCache(options.sessions) : null;
  const pool = new WorkerPool(options.workers ?? Number.POSITIVE_INFINITY);
  // Leaked memory, by release: kept while the release serves, dropped when traffic leaves it.
  const leaks = new Map<string, Buffer[]>();

  const currentRelease = async (): Promise<{ release: string; behaviour: ReleaseBehaviour }> => {
    const release = basename(await readlink(join(deployPath, 'current')));
    let behaviour = behaviours.get(release);
    if (behaviour === undefined) {
      // A release directory never changes once deployed, so its behaviour is read once.
      behaviour = readFile(join(deployPath, 'releases', release, 'release.json'), 'utf8').then(
        parseReleaseBehaviour,
      );
      behaviour.catch(() => behaviours.delete(release));
      behaviours.set(release, behaviour);
    }
    return { release, behaviour: await behaviour };
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
  };

  const noteRelease = (release: string, now: number) => {
    if (switches.at(-1)?.release === release) return;
    switches.push({ release, at: now });
    for (const other of [...leaks.keys()]) if (other !== release) leaks.delete(other);
  };

  const checkout = async (res: ServerResponse, started: number) => {
    const { release, behaviour } = await currentRelease();
    const now = Date.now();
    noteRelease(release, now);
    const since = switches.at(-1)?.at ?? now;
    const plan = planRequest(behaviour, now - since);
    if (plan.faulty && faultOnsets[release] === undefined) faultOnsets[release] = now;
    metrics.setServingRelease(Number(release) || 0);
    sessions?.serve();
    await pool.run(() => sleep(plan.delayMs));
    const status = plan.fail ? 500 : 200;
    json(
      res,
      status,
      plan.fail ? { error: 'checkout failed', release } : { ok: true, release, version: behaviour.version },
    );
    requests += 1;
    const elapsed = (performance.now() - started) / 1000;
    metrics.observe(status, elapsed);
    seconds.request(Date.now(), elapsed * 1000);
  };

  const leakTick = async () => {
    const { release, behaviour } = await currentRelease();
    const bytes = behaviour.fault?.leakBytesPerSecond;
    const since = switches.at(-1)?.release === release ? (switches.at(-1)?.at ?? null) : null;
    if (bytes === undefined || since === null || !faultActive(behaviour, Date.now() - since)) return;
    faultOnsets[release] ??= Date.now();
    const kept = leaks.get(release) ?? [];
    // Written, so the pages are resident: a leak shows in RSS, not only in the heap.
    kept.push(Buffer.alloc(bytes, 1));
    leaks.set(release, kept);
  };

  // Once a second: the event loop's worst delay, and the leak of a faulty release that serves.
  const ticker = setInterval(() => {
    seconds.loopDelay(Date.now(), loopDelay.max / 1e6);
    loopDelay.reset();
    void leakTick().catch(() => undefined);
  }, 1_000);
  ticker.unref();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/checkout') return await checkout(res, started);
      if (path === '/metrics') {
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          .end(metrics.render());
        return;
      }
      if (path === '/healthz') {
        const { release, behaviour } = await currentRelease();
        return json(res, 200, { status: 'ok', release, version: behaviour.version });
      }
      if (path === '/_demo/state')
        return json(res, 200, {
          switches,
          faultOnsets,
          requests,
          seconds: seconds.list(),
        } satisfies ServiceState);
      json(res, 404, { error: 'not found' });
    } catch (error) {
      json(res, 503, {
        status: 'unavailable',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    catalogueBytes: catalogue.length,
    state: () => ({
      switches: [...switches],
      faultOnsets: { ...faultOnsets },
      requests,
      seconds: seconds.list(),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(ticker);
        loopDelay.disable();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
