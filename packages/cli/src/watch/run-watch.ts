import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import {
  type ArtifactRef,
  type AuditRecord,
  type BaselineSnapshot,
  createController,
  type DeployEvent,
  type Evaluation,
  type Executor,
  failingArtifact,
  findUnfinishedWatch,
  type MachineSnapshot,
  type MetricSource,
  RollgateError,
  type WatchResult,
  watchIdFor,
} from '@rollgate/core';
import { redactingNotifier, redactValue, systemClock } from '@rollgate/core/node';
import { flag, type ParsedArgs, stringOption } from '../cli/arg-parser';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import { dropUndefined } from '../config/drop-undefined';
import { findConfigFile, type LoadedConfig, loadConfig } from '../config/load-config';
import type { Io } from '../io/io';
import { createRedactor, redactingIo } from '../io/secret-redactor';
import { inGitHubActions, writeStepOutputs } from '../progress/github-actions';
import { createJsonReporter } from '../progress/json-reporter';
import { createPlainReporter } from '../progress/plain-reporter';
import { stepSummaryMarkdown, writeStepSummary } from '../progress/step-summary';
import { createTtyReporter } from '../progress/tty-reporter';
import type { WatchReporter, WatchStart, WatchSummary } from '../progress/watch-reporter';
import { renderReport } from '../report/render-report';
import { buildExecutor, buildSources, disposeSources } from '../wiring/build-adapters';
import { buildNotifier } from '../wiring/build-notifier';
import { missingSigningKey, openStores, type Stores } from '../wiring/state-layout';
import { parseDeployTime } from './deploy-time';
import { type MetricsServer, parseListenAddress, serveControllerMetrics } from './metrics-listen';
import { exitCodeFor, outcomeHeadline } from './outcome-exit-code';
import { shellQuote } from './shell-quote';
import { readStoredWatch } from './stored-watches';
import { runPreflight } from './watch-preflight';

/**
 * `rollgate watch`: one watch from the deploy event to an outcome through `createController`,
 * wired from the configuration file. Resolves to the documented exit code; never throws (a
 * problem before the watch starts is reported like an outcome, with exit 2 or 1).
 */
export async function runWatch(args: ParsedArgs, baseIo: Io): Promise<number> {
  const json = flag(args, 'json');
  let io = baseIo;
  const reporter = pickReporter(io, json);
  const resumeHint: { config: string; watchId: string | null } = {
    config: stringOption(args, 'config') ?? '',
    watchId: null,
  };
  let summaryBase: Partial<WatchSummary> = {};

  let loaded: LoadedConfig;
  let listen: ReturnType<typeof parseListenAddress> | null = null;
  try {
    const metricsFlag = stringOption(args, 'metrics-listen');
    if (metricsFlag !== undefined) listen = parseListenAddress(metricsFlag);
    const file = await findConfigFile(stringOption(args, 'config'), io.cwd, io.env);
    resumeHint.config = stringOption(args, 'config') ?? (relative(io.cwd, file) || file);
    loaded = await loadConfig(file, io.env);
  } catch (error) {
    return failWith(io, reporter, json, error, summaryBase);
  }
  // One redactor for every output and file of the watch: stdout/stderr, stores, report, webhooks.
  const redact = createRedactor(loaded.secrets);
  io = redactingIo(io, redact);
  const out = pickReporter(io, json);
  const { config, contract } = loaded;
  const dryRun = flag(args, 'dry-run') || config.guardrails.dryRun;
  summaryBase = { service: config.service, dryRun };

  let sources: Record<string, MetricSource> = {};
  let executor: Executor | undefined;
  let stores: Stores;
  const warn = (message: string) => out.notice(message, 'warning');
  let started = false;
  try {
    sources = await buildSources(loaded);
    executor = await buildExecutor(loaded, warn);
    stores = await openStores(config.state, warn, redact, { dryRun });
    const lostKey = dryRun ? missingSigningKey(config.state, stores.paths) : null;
    if (lostKey) warn(`${lostKey.code}: ${lostKey.message}`);
  } catch (error) {
    await disposeAll(sources, executor);
    return failWith(io, out, json, error, summaryBase);
  }
  const notifier = (() => {
    try {
      return redactingNotifier(buildNotifier(loaded), redact);
    } catch (error) {
      return error as Error;
    }
  })();
  if (notifier instanceof Error) {
    await disposeAll(sources, executor);
    return failWith(io, out, json, notifier, summaryBase);
  }

  const clock = systemClock;
  const abort = new AbortController();
  // What the job summary shows besides the outcome: the last verdicts and the baseline.
  let lastEvaluation: Evaluation | null = null;
  let baseline: BaselineSnapshot | null = null;
  const summarize = async (final: WatchSummary, headline: string) => {
    const markdown = stepSummaryMarkdown({
      summary: final,
      headline,
      contract,
      evaluation: lastEvaluation,
      baseline,
      env: io.env,
    });
    await writeStepSummary(io.env, markdown).catch((e: unknown) =>
      warn(`could not write $GITHUB_STEP_SUMMARY: ${(e as NodeJS.ErrnoException).code ?? String(e)}`),
    );
  };
  let interruptedBy: 'SIGINT' | 'SIGTERM' | null = null;
  const stopListening = io.onInterrupt((signal) => {
    if (interruptedBy) return;
    interruptedBy = signal;
    out.notice(
      `${signal} received: stopping now; the snapshot is kept and the watch can be resumed (a second signal exits at once).`,
    );
    abort.abort(new Error(signal));
  });

  let metricsServer: MetricsServer | null = null;
  try {
    const plan = await planWatch(args, loaded, dryRun, executor, stores, clock.now(), out);
    resumeHint.watchId = plan.watchId;
    summaryBase = {
      ...summaryBase,
      watchId: plan.watchId,
      artifact: plan.deploy.artifactId,
      deployedAt: new Date(plan.deploy.deployedAt).toISOString(),
      dryRun: plan.stored?.options.dryRun ?? dryRun,
      audit: stores.where.audit,
    };
    // A new watch reads every signal once first, so a wrong URL, credential or query fails in
    // seconds with the signal named; a resumed one already read them.
    if (plan.stored === null && !flag(args, 'no-preflight')) {
      await runPreflight(contract, sources, clock, abort.signal, out, loaded.sourceAliases);
    }
    const killSwitch = config.guardrails.killSwitchFile;
    if (killSwitch && existsSync(killSwitch)) {
      out.notice(
        `the kill switch ${killSwitch} exists: Rollgate will stop without acting (remove the file to let it act).`,
        'warning',
      );
    }
    const controller = createController({
      contract,
      sources,
      executor,
      artifacts: stores.artifacts,
      state: stores.state,
      audit: stores.audit,
      notifier,
      clock,
      dryRun,
      lease: stores.lease,
      cooldownSeconds: config.guardrails.cooldownSeconds,
      ...(config.guardrails.settleMs === undefined ? {} : { settleMs: config.guardrails.settleMs }),
      ...(killSwitch ? { killSwitch: () => existsSync(killSwitch) } : {}),
      ...(config.timeouts ? { timeouts: dropUndefined(config.timeouts) } : {}),
      onListenerError: (error, event) =>
        io.stderr.write(
          `rollgate watch: a progress listener failed on ${event}: ${error instanceof Error ? error.message : String(error)}\n`,
        ),
    });
    if (listen) {
      metricsServer = await serveControllerMetrics(controller, listen, config.service);
      out.notice(`serving Rollgate's metrics on ${metricsServer.url} while the watch runs`);
    }
    controller.events.on('evaluation', (e) => {
      lastEvaluation = e;
      out.evaluation(e);
    });
    controller.events.on('watch-start', (w) => {
      baseline = w.snapshot.bake.baseline;
      out.snapshot?.(w.snapshot);
    });
    controller.events.on('step', (step) => {
      baseline = step.snapshot.bake.baseline;
      out.snapshot?.(step.snapshot);
    });
    controller.events.on('transition', (t) => out.transition(t));
    controller.events.on('command', (c) => {
      if (c.type !== 'evaluate') out.command(c, clock.now());
    });
    controller.events.on('store-error', (e) => out.storeError(e, clock.now()));
    controller.events.on('lease', (e) => {
      if (e.type === 'waiting') {
        out.notice(
          `another controller holds the watch lease of ${config.service} (${e.holder}); waiting for it (--wait)...`,
        );
      } else if (e.type === 'renew-failed') {
        out.storeError({ operation: 'renew the watch lease', error: e.error }, clock.now());
      }
    });
    out.start({
      at: clock.now(),
      service: config.service,
      watchId: plan.watchId,
      artifactId: plan.deploy.artifactId,
      deployedAt: plan.deploy.deployedAt,
      dryRun: plan.stored?.options.dryRun ?? dryRun,
      resumed: plan.stored !== null,
      contract,
      executor: executor.name,
      stateDir: stores.where.state,
      audit: stores.where.audit,
    } satisfies WatchStart);
    started = true;

    const waitForLease = flag(args, 'wait');
    const result = plan.stored
      ? await controller.resume(plan.watchId, { signal: abort.signal, waitForLease })
      : await controller.watch(plan.deploy, { watchId: plan.watchId, signal: abort.signal, waitForLease });
    const audit = result.audit && redactValue(result.audit, redact);
    const reportFile = await writeReportIfAsked(args, io, audit, out);
    const final = summaryOf(result, summaryBase, reportFile);
    // Before the final output: with --json the summary must stay the last line.
    await writeStepOutputs(io.env, stepOutputs(final)).catch((e: unknown) =>
      warn(`could not write $GITHUB_OUTPUT: ${(e as NodeJS.ErrnoException).code ?? String(e)}`),
    );
    const headline = outcomeHeadline(result.outcome, result.snapshot.options.dryRun);
    await summarize(final, headline);
    out.finish(final, headline);
    return final.exitCode;
  } catch (error) {
    if (RollgateError.is(error) && error.code === 'ABORTED' && interruptedBy) {
      const exitCode = interruptedBy === 'SIGINT' ? EXIT_CODES.interrupted : EXIT_CODES.terminated;
      const resume = resumeCommand(resumeHint.config, resumeHint.watchId, json);
      const final = summary({
        ...summaryBase,
        outcome: 'interrupted',
        exitCode,
        reason: `stopped by ${interruptedBy}; the snapshot is kept in ${stores.where.snapshots}`,
        resume,
      });
      await writeStepOutputs(io.env, stepOutputs(final)).catch(() => undefined);
      const headline = 'INTERRUPTED: the watch stopped before an outcome; resume it with the command below';
      await summarize(final, headline);
      out.finish(final, headline);
      return exitCode;
    }
    return failWith(io, out, json || started, error, summaryBase);
  } finally {
    stopListening();
    await (metricsServer as MetricsServer | null)?.stop().catch(() => undefined);
    await disposeAll(sources, executor);
    await stores.close();
  }
}

/** Which deploy to watch, whether a stored snapshot continues it, and under which watch id. */
interface WatchPlan {
  readonly watchId: string;
  readonly deploy: DeployEvent;
  readonly stored: MachineSnapshot | null;
}

async function planWatch(
  args: ParsedArgs,
  loaded: LoadedConfig,
  dryRun: boolean,
  executor: Executor,
  stores: Stores,
  now: number,
  out: WatchReporter,
): Promise<WatchPlan> {
  const { config, contract } = loaded;
  const ctx = { signal: new AbortController().signal, deadline: now + 30_000 };
  const load = async (key: string) => {
    const r = await stores.state.load(key, ctx);
    if (!r.ok) throw r.error;
    return r.value;
  };
  const explicitId = stringOption(args, 'watch-id');
  const artifactFlag = stringOption(args, 'artifact');
  const deployedFlag = stringOption(args, 'deployed-at');
  if (explicitId !== undefined) {
    if (explicitId.trim() === '') throw new UsageError('--watch-id must not be empty.', 'watch');
    const stored = await readStoredWatch(load, explicitId);
    if (stored) {
      if (stored.service !== config.service) {
        throw new UsageError(
          `watch ${explicitId} belongs to service "${stored.service}", not "${config.service}"; use that service's configuration.`,
          'watch',
        );
      }
      if (artifactFlag !== undefined && artifactFlag !== stored.deploy.artifactId) {
        throw new UsageError(
          `watch ${explicitId} watches ${stored.deploy.artifactId}, not ${artifactFlag}; drop --artifact to resume it.`,
          'watch',
        );
      }
      return { watchId: explicitId, deploy: stored.deploy, stored };
    }
  }
  let artifactId = artifactFlag;
  if (artifactId !== undefined && artifactId.trim() === '')
    throw new UsageError('--artifact must not be empty.', 'watch');
  let current: ArtifactRef | null = null;
  if (artifactId === undefined || deployedFlag === undefined) {
    const r = await executor.current(ctx);
    if (r.ok) current = r.value;
    else if (artifactId === undefined) {
      throw new RollgateError(
        r.error.code,
        `no --artifact given and the executor (${executor.name}) cannot tell what is serving: ${r.error.message} Fix that, or pass --artifact ID --deployed-at TIME.`,
        { component: 'cli-watch', cause: r.error },
      );
    }
  }
  if (artifactId === undefined) {
    artifactId = (current as ArtifactRef).id;
    out.notice(`no --artifact given: the executor reports ${artifactId} serving; watching it.`);
  }
  if (deployedFlag === undefined && explicitId === undefined) {
    const policy = contract.promotion;
    const maxAgeMs =
      (contract.bakeSeconds +
        policy.maxExtensions * policy.extendSeconds +
        contract.verification.windowSeconds +
        600) *
      1000;
    const found = await findUnfinishedWatch(
      stores.state,
      { service: config.service, artifactId, dryRun, now, maxAgeMs },
      ctx,
    );
    if (!found.ok) throw found.error;
    const unfinished = found.value;
    if (unfinished) {
      out.notice(
        `resuming the unfinished watch ${unfinished.watchId} of ${artifactId} (deployed ${new Date(unfinished.deploy.deployedAt).toISOString()}); pass --deployed-at to start a new watch instead.`,
      );
      return { watchId: unfinished.watchId, deploy: unfinished.deploy, stored: unfinished };
    }
  }
  let deployedAt: number;
  if (deployedFlag !== undefined) {
    deployedAt = parseDeployTime(deployedFlag, now);
  } else {
    // The deploy time decides whether a breach predates the deploy, so "now" (after the switch
    // and after rollgate started) is the last resort: a fault that began with the switch would
    // look pre-existing. The executor's record of the artifact is closer, when it is recent.
    const created = current?.id === artifactId ? current.createdAt : undefined;
    if (created !== undefined && created <= now && now - created <= contract.bakeSeconds * 1000) {
      deployedAt = created;
      out.notice(
        `no --deployed-at given: taking ${artifactId}'s creation time ${new Date(created).toISOString()} (from ${executor.name}) as the deploy time.`,
      );
    } else {
      deployedAt = now;
      out.notice(
        `no --deployed-at given: taking now (${new Date(now).toISOString()}) as the deploy time; a breach that began before it counts as pre-existing, so pass --deployed-at when the deploy happened earlier.`,
        'warning',
      );
    }
  }
  const deploy: DeployEvent = { artifactId, deployedAt };
  // A dry run gets its own id: its finished snapshot must never stand in for the real watch.
  const watchId = explicitId ?? `${watchIdFor(config.service, deploy)}${dryRun ? '--dry-run' : ''}`;
  const stored = explicitId === undefined ? await readStoredWatch(load, watchId) : null;
  return { watchId, deploy: stored?.deploy ?? deploy, stored };
}

async function writeReportIfAsked(
  args: ParsedArgs,
  io: Io,
  audit: AuditRecord | null,
  out: WatchReporter,
): Promise<string | null> {
  const target = stringOption(args, 'report');
  if (target === undefined) return null;
  if (!audit) {
    out.notice('no audit record was written, so there is no report; see the messages above.', 'warning');
    return null;
  }
  const file = resolve(io.cwd, target);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, renderReport(audit));
    return file;
  } catch (error) {
    out.notice(
      `could not write the report ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'warning',
    );
    return null;
  }
}

function summaryOf(result: WatchResult, base: Partial<WatchSummary>, report: string | null): WatchSummary {
  const audit = result.audit;
  const snapshot = result.snapshot;
  const lead = snapshot.breach?.evidence[0];
  const breached = snapshot.breach !== null;
  const failed = breached ? failingArtifact(snapshot).id : null;
  const restored = snapshot.cutover?.receipt ? (snapshot.target?.id ?? null) : null;
  return summary({
    ...base,
    outcome: result.outcome,
    exitCode: exitCodeFor(result.outcome),
    watchId: result.watchId,
    reason: result.reason,
    dryRun: snapshot.options.dryRun,
    failedArtifact: audit?.failedArtifact?.id ?? failed,
    restoredArtifact: audit?.restoredArtifact?.id ?? restored,
    recoveryVerified: snapshot.recovery ? snapshot.recovery.verified : null,
    breach:
      lead && snapshot.breach
        ? {
            signal: lead.signal,
            value: finite(lead.value),
            threshold: finite(lead.threshold),
            samples: lead.samples,
            statistic: lead.statistic?.name ?? null,
            statisticValue: finite(lead.statistic?.value),
            alpha: lead.statistic?.alpha ?? null,
            confirmedAt: new Date(snapshot.breach.confirmedAt).toISOString(),
          }
        : null,
    report,
    durationSeconds:
      Math.round(((snapshot.phases.at(-1)?.at ?? snapshot.startedAt) - snapshot.deploy.deployedAt) / 100) /
      10,
  });
}

/** A complete summary from the fields known so far. */
function summary(
  fields: Partial<WatchSummary> & Pick<WatchSummary, 'outcome' | 'exitCode' | 'reason'>,
): WatchSummary {
  return {
    type: 'summary',
    outcome: fields.outcome,
    exitCode: fields.exitCode,
    watchId: fields.watchId ?? null,
    service: fields.service ?? null,
    reason: fields.reason,
    dryRun: fields.dryRun ?? false,
    artifact: fields.artifact ?? null,
    deployedAt: fields.deployedAt ?? null,
    failedArtifact: fields.failedArtifact ?? null,
    restoredArtifact: fields.restoredArtifact ?? null,
    recoveryVerified: fields.recoveryVerified ?? null,
    breach: fields.breach ?? null,
    audit: fields.audit ?? null,
    report: fields.report ?? null,
    resume: fields.resume ?? null,
    durationSeconds: fields.durationSeconds ?? null,
    error: fields.error ?? null,
  };
}

/**
 * Reports a watch that could not reach an outcome: the message on stderr, and, when the
 * reporter has output to finish (`--json`, or a watch that started), its final summary.
 */
function failWith(
  io: Io,
  out: WatchReporter,
  finish: boolean,
  error: unknown,
  base: Partial<WatchSummary>,
): number {
  const usage = error instanceof UsageError || (RollgateError.is(error) && error.code === 'CONFIG_INVALID');
  const owned = RollgateError.is(error) && (error.code === 'LEASE_HELD' || error.code === 'LEASE_LOST');
  const exitCode = usage ? EXIT_CODES.usage : owned ? EXIT_CODES.leaseHeld : EXIT_CODES.failure;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof UsageError ? 'USAGE' : RollgateError.is(error) ? error.code : 'INTERNAL';
  io.stderr.write(`rollgate watch: ${code === 'USAGE' ? '' : `${code}: `}${message}\n`);
  if (error instanceof UsageError) io.stderr.write('Run `rollgate watch --help` for usage.\n');
  else if (!RollgateError.is(error) && error instanceof Error && error.stack)
    io.stderr.write(`${error.stack}\n`);
  if (finish) {
    out.finish(
      summary({ ...base, outcome: 'error', exitCode, reason: message, error: { code, message } }),
      `FAILED: ${code}: the watch could not reach an outcome`,
    );
  }
  return exitCode;
}

function resumeCommand(config: string, watchId: string | null, json: boolean): string | null {
  if (!watchId) return null;
  return ['rollgate', 'watch', '--config', config, '--watch-id', watchId, ...(json ? ['--json'] : [])]
    .map(shellQuote)
    .join(' ');
}

function stepOutputs(s: WatchSummary): Record<string, string | number | boolean | null> {
  return {
    outcome: s.outcome,
    'exit-code': s.exitCode,
    'watch-id': s.watchId,
    'failed-artifact': s.failedArtifact,
    'restored-artifact': s.restoredArtifact,
    audit: s.audit,
    report: s.report,
  };
}

function pickReporter(io: Io, json: boolean): WatchReporter {
  if (json) return createJsonReporter(io.stdout);
  const github = inGitHubActions(io.env);
  if (github || !io.stdout.isTTY) return createPlainReporter(io.stdout, { githubActions: github });
  return createTtyReporter(io.stdout, { color: io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb' });
}

async function disposeAll(
  sources: Record<string, MetricSource>,
  executor: Executor | undefined,
): Promise<void> {
  await disposeSources(sources);
  await executor?.dispose().catch(() => undefined);
}

function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}
