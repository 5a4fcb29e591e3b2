import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createHmacSigner } from '@rollgate/core/node';
import { createDeployerExecutor } from '@rollgate/deployer-executor';
import { build } from 'esbuild';
import { openPostgresStores } from '../../src/open-postgres-stores';

/** One JSON line a racing controller printed, or an action of the test (`name: 'test'`). */
export interface RaceEvent {
  readonly at: number;
  readonly name: string;
  readonly ev: string;
  readonly token?: number;
  readonly [field: string]: unknown;
}

const CHILD = join(import.meta.dirname, '..', 'fixtures', 'racing-controller.ts');

/**
 * Bundles the racing controller into one file, so each of the many processes starts in a
 * fraction of a second instead of compiling TypeScript.
 */
export async function bundleRacingController(): Promise<{ file: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-race-bundle-'));
  const file = join(dir, 'racing-controller.mjs');
  await build({
    entryPoints: [CHILD],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: file,
    conditions: ['source'],
    external: ['pg-native'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  return { file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The signer every racing controller uses (they must verify each other's records). */
export const raceSigner = () =>
  createHmacSigner({ secret: 'race-test-secret-0123456789abcdef', keyId: 'race' });

/** A Deployer deploy_path: releases 1 (good) and 2 (just deployed, bad), `current` on 2. */
export async function buildDeployPath(): Promise<{ deployPath: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'rollgate-race-'));
  const deployPath = join(root, 'app');
  await mkdir(join(deployPath, '.dep'), { recursive: true });
  const lines: string[] = [];
  for (const [i, release] of ['1', '2'].entries()) {
    await mkdir(join(deployPath, 'releases', release), { recursive: true });
    await writeFile(join(deployPath, 'releases', release, 'REVISION'), `${release}abc${release}def\n`);
    lines.push(
      JSON.stringify({
        created_at: `2025-03-0${i + 1}T10:00:00+0000`,
        release_name: release,
        user: 'ci',
        target: 'main',
      }),
    );
  }
  await writeFile(join(deployPath, '.dep', 'releases_log'), `${lines.join('\n')}\n`);
  await writeFile(join(deployPath, '.dep', 'latest_release'), '2\n');
  await symlink('releases/2', join(deployPath, 'current'));
  return { deployPath, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Records release 1 as verified (the rollback target) in the schema, and returns the artifact
 * ids of both releases.
 */
export async function seedVerified(
  url: string,
  schema: string,
  deployPath: string,
): Promise<{ deployed: string; target: string }> {
  const stores = openPostgresStores({ url, schema, signer: raceSigner() });
  const deployer = createDeployerExecutor({ mode: 'local', deployPath, onWarning: () => undefined });
  const ctx = { signal: new AbortController().signal, deadline: Date.now() + 30_000 };
  try {
    const candidates = await deployer.candidates(ctx);
    const current = await deployer.current(ctx);
    if (!candidates.ok) throw candidates.error;
    if (!current.ok) throw current.error;
    const target = candidates.value.find((c) => c.id.startsWith('1@'));
    if (!target) throw new Error('release 1 is not a candidate');
    const recorded = await stores.artifacts.record(
      {
        service: 'checkout',
        artifact: target,
        verifiedAt: Date.now() - 86_400_000,
        evidence: { summary: 'seeded for the race test', bakeSeconds: 300, signals: [] },
      },
      ctx,
    );
    if (!recorded.ok) throw recorded.error;
    return { deployed: current.value.id, target: target.id };
  } finally {
    await stores.close();
    await deployer.dispose();
  }
}

/** A racing controller process and everything it printed. */
export interface Racer {
  readonly name: string;
  readonly child: ChildProcess;
  readonly events: RaceEvent[];
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** True once the process has exited. */
  done(): boolean;
  stderr(): string;
}

/** Starts one racing controller; `onEvent` sees each line as it arrives. */
export function startRacer(
  bundle: string,
  name: string,
  env: Readonly<Record<string, string>>,
  onEvent: (racer: Racer, event: RaceEvent) => void,
): Racer {
  const child = spawn(process.execPath, [bundle], {
    env: { ...process.env, ...env, NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-4_000);
  });
  const events: RaceEvent[] = [];
  let done = false;
  const racer: Racer = {
    name,
    child,
    events,
    exited: new Promise((resolve) =>
      child.once('close', (code, signal) => {
        done = true;
        resolve({ code, signal });
      }),
    ),
    done: () => done,
    stderr: () => stderr,
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    let event: RaceEvent;
    try {
      event = JSON.parse(line) as RaceEvent;
    } catch {
      event = { at: Date.now(), name, ev: 'garbage', line };
    }
    events.push(event);
    onEvent(racer, event);
  });
  return racer;
}

/** A small seeded generator (mulberry32): the same run number always makes the same choices. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The timeline of a run, one line per event, for a failure message. */
export function timeline(events: readonly RaceEvent[]): string {
  const start = events[0]?.at ?? 0;
  return [...events]
    .sort((a, b) => a.at - b.at)
    .map((e) => {
      const { at, name, ev, ...rest } = e;
      return `+${String(at - start).padStart(6)} ms ${name.padEnd(6)} ${ev} ${JSON.stringify(rest)}`;
    })
    .join('\n');
}
