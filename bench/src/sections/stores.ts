import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LeaseGrant, PortContext, Result, WatchLease } from '@rollgate/core';
import { createFileStateStore, createFileWatchLease, createHmacSigner } from '@rollgate/core/node';
import { openPostgresStores } from '@rollgate/postgres-store';
import { auditRecordFixture, payloadFixture } from '@rollgate/testkit';
import { startPostgres } from '@rollgate/testkit/postgres';
import type { BenchModule, BenchSection } from '../section';

/**
 * The PostgreSQL store against a real local PostgreSQL with its default durability (fsync on),
 * beside the file store: operations per second one at a time and with several controllers at
 * once, and how long a watch lease takes to pass to a waiting controller when its owner dies
 * (stops renewing) or releases it.
 */

function ctx(): PortContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 30_000 };
}

function must<T>(result: Result<T>, what: string): T {
  if (!result.ok) throw new Error(`${what}: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Runs `op` for `ms` with `parallel` loops; operations per second. */
async function throughput(ms: number, parallel: number, op: (i: number) => Promise<void>): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async (_, lane) => {
      for (let i = lane; performance.now() < end; i += parallel) {
        await op(i);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The waiting side of a hand-over, as the controller waits (`waitForLease`): try, and on
 * LEASE_HELD wait min(retryInMs, ttl / 10) before the next try. Resolves when granted.
 */
async function waitFor(lease: WatchLease, key: string): Promise<LeaseGrant> {
  for (;;) {
    const acquired = await lease.acquire(key, ctx());
    if (acquired.ok) return acquired.value;
    if (acquired.error.code !== 'LEASE_HELD') throw acquired.error;
    const retryInMs = Number(acquired.error.details.retryInMs);
    await sleep(
      Math.min(Math.max(Number.isFinite(retryInMs) ? retryInMs : lease.ttlMs, 25), lease.ttlMs / 10),
    );
  }
}

function round(value: number): number {
  return value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
}

function summary(values: readonly number[]): [number, number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  return [
    round(sorted[0] ?? Number.NaN),
    round(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN),
    round(sorted.at(-1) ?? Number.NaN),
  ];
}

export const storesBench: BenchModule = async (bench) => {
  const server = await startPostgres({ durable: true });
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-bench-stores-'));
  const signer = createHmacSigner({ secret: 'bench-signing-secret-0123456789abcdef' });
  const stores = openPostgresStores({ url: server.url, signer, poolSize: 8, leaseTtlMs: 15_000 });
  const fileState = createFileStateStore({ dir: join(dir, 'snapshots'), leaseDir: join(dir, 'leases') });
  const fileLease = createFileWatchLease({ dir: join(dir, 'leases') });
  const ms = bench.quick ? 1_000 : 4_000;
  try {
    bench.log(`stores bench: PostgreSQL ${server.binaries.dir} (fsync on), ${ms} ms per measurement`);
    const snapshot = { state: 'Watching', pending: [{ type: 'evaluate', at: 0 }], bake: { steps: 120 } };
    const grant = must(await stores.lease.acquire('bench', ctx()), 'acquire');
    const fileGrant = must(await fileLease.acquire('bench', ctx()), 'file acquire');
    const fenced = (g: LeaseGrant): PortContext => ({ ...ctx(), fence: { key: g.key, token: g.token } });
    must(await stores.state.save('watch/bench', snapshot, ctx()), 'warm-up');

    type Op = readonly [string, (i: number) => Promise<void>, (i: number) => Promise<void>];
    const ops: Op[] = [
      [
        'state save (snapshot after a step)',
        async () => void must(await fileState.save('watch/bench', snapshot, ctx()), 'file save'),
        async () => void must(await stores.state.save('watch/bench', snapshot, ctx()), 'save'),
      ],
      [
        'state save, fenced by the lease token',
        async () =>
          void must(await fileState.save('watch/bench', snapshot, fenced(fileGrant)), 'file fenced save'),
        async () => void must(await stores.state.save('watch/bench', snapshot, fenced(grant)), 'fenced save'),
      ],
      [
        'state load',
        async () => void must(await fileState.load('watch/bench', ctx()), 'file load'),
        async () => void must(await stores.state.load('watch/bench', ctx()), 'load'),
      ],
      [
        'lease renew (before every command)',
        async () => void must(await fileLease.renew(fileGrant, ctx()), 'file renew'),
        async () => void must(await stores.lease.renew(grant, ctx()), 'renew'),
      ],
    ];
    const rows: (string | number)[][] = [];
    for (const [name, file, postgres] of ops) {
      bench.log(`stores bench: ${name}`);
      rows.push([
        name,
        round(await throughput(ms, 1, file)),
        round(await throughput(ms, 1, postgres)),
        round(await throughput(ms, 8, postgres)),
      ]);
    }
    bench.log('stores bench: audit writes and verifications');
    let watch = 0;
    rows.push([
      'audit record write (one per watch)',
      '',
      round(
        await throughput(ms, 1, async () => {
          must(await stores.audit.write(auditRecordFixture(`bench-1-${watch++}`), ctx()), 'audit');
        }),
      ),
      round(
        await throughput(ms, 8, async () => {
          must(await stores.audit.write(auditRecordFixture(`bench-8-${watch++}`), ctx()), 'audit');
        }),
      ),
    ]);
    let artifact = 0;
    const service = (i: number) => `service-${i % 8}`;
    rows.push([
      'verification record (sign, retain 5)',
      '',
      round(
        await throughput(ms, 1, async (i) => {
          must(
            await stores.artifacts.record(payloadFixture(service(i), `${artifact++}@r`, artifact), ctx()),
            'record',
          );
        }),
      ),
      round(
        await throughput(ms, 8, async (i) => {
          must(
            await stores.artifacts.record(payloadFixture(service(i), `${artifact++}@r`, artifact), ctx()),
            'record',
          );
        }),
      ),
    ]);
    rows.push([
      'last verified artifact (rollback target)',
      '',
      round(
        await throughput(ms, 1, async (i) => {
          must(await stores.artifacts.lastVerified(service(i), { excluding: [] }, ctx()), 'lastVerified');
        }),
      ),
      round(
        await throughput(ms, 8, async (i) => {
          must(await stores.artifacts.lastVerified(service(i), { excluding: [] }, ctx()), 'lastVerified');
        }),
      ),
    ]);
    const operations: BenchSection = {
      title: 'Stores: operations per second',
      description:
        'One store operation after another (1 in flight), and 8 in flight at once through one pool of 8 connections (8 controllers sharing the database), against a local PostgreSQL 15 with fsync on, beside the file store (`@rollgate/core/node`, atomic write with fsync per save). A watch does about one state save and one lease renewal per command, a few per evaluation step: these rates are far above what a controller needs.',
      columns: [
        'operation',
        'file store, ops/s',
        'PostgreSQL, ops/s (1 in flight)',
        'PostgreSQL, ops/s (8 in flight)',
      ],
      rows,
    };

    // Hand-over: the owner dies (stops renewing, as after SIGKILL) right after a renewal, or
    // releases the lease; a waiting controller polls as the controller does.
    const handOver: (string | number)[][] = [];
    const repeats = bench.quick ? 3 : 8;
    for (const ttlMs of bench.quick ? [1_000, 3_000] : [1_000, 3_000, 15_000]) {
      bench.log(`stores bench: lease hand-over, ttl ${ttlMs} ms, ${repeats} times`);
      const died: number[] = [];
      const released: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const key = `handover-${ttlMs}-${i}`;
        const owner = openPostgresStores({ url: server.url, signer, leaseTtlMs: ttlMs });
        const waiter = openPostgresStores({ url: server.url, signer, leaseTtlMs: ttlMs });
        try {
          must(await owner.lease.acquire(key, ctx()), 'owner acquire');
          const waiting = waitFor(waiter.lease, key);
          // The waiter is polling; the owner renews once more, then dies.
          await sleep(Math.min(ttlMs / 3, 500));
          must(await owner.lease.renew({ key, token: 1, owner: owner.lease.owner, ttlMs }, ctx()), 'renew');
          const deathAt = performance.now();
          const next = await waiting;
          died.push(performance.now() - deathAt);
          // The new owner finishes and releases; the first waits for it.
          const again = waitFor(owner.lease, key);
          await sleep(Math.min(ttlMs / 3, 500));
          const releaseAt = performance.now();
          must(await waiter.lease.release(next, ctx()), 'release');
          await again;
          released.push(performance.now() - releaseAt);
        } finally {
          await Promise.all([owner.close(), waiter.close()]);
        }
      }
      handOver.push([`${ttlMs / 1000} s`, 'owner died', ...summary(died)]);
      handOver.push([`${ttlMs / 1000} s`, 'owner released it', ...summary(released)]);
    }
    const leases: BenchSection = {
      title: 'Stores: lease hand-over time (PostgreSQL)',
      description:
        'Time from the owner stopping (it dies right after a renewal, so its grant runs for the whole ttl, or it releases the lease at the end of a watch) until a waiting controller is granted the lease, polling as `waitForLease` does (every min(retry-in, ttl/10)). A crashed watch is taken over about one ttl after its last renewal; a finished one within a poll.',
      columns: ['lease ttl', 'how the owner stopped', 'min ms', 'median ms', 'max ms'],
      rows: handOver,
      notes: [
        'The race test (three controller processes, 50 runs, owner SIGKILLed or SIGSTOPped, ttl 2 s) measures the same hand-over end to end on a busy machine: see its summary line in the test output.',
      ],
    };
    must(await stores.lease.release(grant, ctx()), 'release');
    return [operations, leases];
  } finally {
    await stores.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
};
