import { join } from 'node:path';
import {
  type ArtifactRef,
  createController,
  type Evaluation,
  type Executor,
  type MetricSource,
  type Notifier,
  ok,
  type Verdict,
} from '@rollgate/core';
import {
  createEd25519Signer,
  createFileArtifactStore,
  createFileAuditSink,
  createFileStateStore,
  systemClock,
} from '@rollgate/core/node';
import { createDeployerExecutor } from '@rollgate/deployer-executor';
import { DEMO_GATE, DEMO_SERVICE, demoContract } from './demo-contract';
import type { WatchFinish, WatchListener } from './watch-events';

/** The file layout `rollgate watch` uses for `state.dir`, so the CLI can read what this writes. */
export function statePathsOf(stateDir: string) {
  return {
    snapshots: join(stateDir, 'snapshots'),
    audit: join(stateDir, 'audit.jsonl'),
    artifacts: join(stateDir, 'artifacts.json'),
    keys: join(stateDir, 'keys'),
  };
}

/** The Deployer executor in local mode, as the demo's `rollgate.yaml` configures it. */
export function demoExecutor(
  deployPath: string,
  healthUrl: string,
  onWarning: (m: string) => void,
): Executor {
  return createDeployerExecutor({
    mode: 'local',
    deployPath,
    user: 'rollgate-demo',
    gate: { urls: [healthUrl], ...DEMO_GATE },
    onWarning,
  });
}

function artifactStore(stateDir: string) {
  const paths = statePathsOf(stateDir);
  return createFileArtifactStore({
    path: paths.artifacts,
    signer: createEd25519Signer({ keyDir: paths.keys }),
  });
}

const ctx = () => ({ signal: new AbortController().signal, deadline: Date.now() + 30_000 });

/**
 * Records `artifactId` as verified (signed, in `state.dir/artifacts.json`) through the core API:
 * what `rollgate artifacts record` does, for the path where the watch runs in this process.
 */
export async function recordVerifiedInProcess(
  stateDir: string,
  executor: Executor,
  artifactId: string,
  note: string,
): Promise<void> {
  const listed = await executor.candidates(ctx());
  if (!listed.ok) throw listed.error;
  const artifact = listed.value.find((a: ArtifactRef) => a.id === artifactId);
  if (!artifact) throw new Error(`${artifactId} is not a release the executor can cut over to`);
  const recorded = await artifactStore(stateDir).record(
    {
      service: DEMO_SERVICE,
      artifact,
      verifiedAt: Date.now(),
      evidence: { summary: note, bakeSeconds: 0, signals: [] },
    },
    ctx(),
  );
  if (!recorded.ok) throw recorded.error;
}

function lead(verdicts: readonly Verdict[], status: string): Verdict | undefined {
  return verdicts.find((v) => v.segment === undefined && v.status === status) ?? verdicts[0];
}

/**
 * Watches the deploy in this process with `createController`: the same engine, contract,
 * executor and file stores as `rollgate watch`, reading from a source that lives in this
 * process (the exposition source, whose history began before the deploy).
 */
export async function runEmbeddedWatch(options: {
  readonly source: MetricSource;
  readonly executor: Executor;
  readonly stateDir: string;
  readonly artifactId: string;
  readonly deployedAt: number;
  readonly listener: WatchListener;
  readonly signal: AbortSignal;
}): Promise<WatchFinish> {
  const { listener } = options;
  const paths = statePathsOf(options.stateDir);
  const notifier: Notifier = {
    async notify(n) {
      listener({
        type: 'notice',
        at: Date.now(),
        level: 'info',
        message: `notification (${n.kind}): ${n.title}`,
      });
      return ok(undefined);
    },
  };
  const controller = createController({
    contract: demoContract(),
    sources: { default: options.source },
    executor: options.executor,
    artifacts: artifactStore(options.stateDir),
    state: createFileStateStore({ dir: paths.snapshots }),
    audit: createFileAuditSink({ path: paths.audit }),
    notifier,
    clock: systemClock,
  });
  controller.events.on('transition', (t) => listener({ type: 'transition', ...t }));
  controller.events.on('command', (c) => {
    if (c.type === 'evaluate') return;
    const target = c.type === 'cutover' || c.type === 'await-ready' ? c.target.id : null;
    listener({ type: 'command', at: Date.now(), command: c.type, target });
  });
  controller.events.on('evaluation', (e: Evaluation) =>
    listener({
      type: 'evaluation',
      at: e.at,
      purpose: e.purpose,
      elapsedSeconds: e.elapsedSeconds,
      remainingSeconds: e.remainingSeconds,
      warmingUp: e.warmingUp,
      decision: { type: e.decision.type, reason: e.decision.reason },
      signals: e.signals.map((s) => ({
        signal: s.signal,
        status: s.status,
        reason: lead(s.verdicts, s.status)?.reason ?? '',
      })),
    }),
  );
  const result = await controller.watch(
    { artifactId: options.artifactId, deployedAt: options.deployedAt },
    { signal: options.signal },
  );
  const snapshot = result.snapshot;
  const restored = snapshot.cutover?.receipt ? (snapshot.target?.id ?? null) : null;
  return {
    outcome: result.outcome,
    reason: result.reason,
    watchId: result.watchId,
    recoveryVerified: snapshot.recovery ? snapshot.recovery.verified : null,
    failedArtifact:
      result.audit?.failedArtifact?.id ??
      (snapshot.breach ? (snapshot.watched?.id ?? snapshot.deploy.artifactId) : null),
    restoredArtifact: result.audit?.restoredArtifact?.id ?? restored,
    breachConfirmedAt: snapshot.breach?.confirmedAt ?? null,
    audit: result.audit ? paths.audit : null,
  };
}
