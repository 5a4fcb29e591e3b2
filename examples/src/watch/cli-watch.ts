import { type CliProcess, startRollgate } from '../cli/rollgate-cli';
import type { WatchEvent, WatchFinish, WatchListener } from './watch-events';

type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const ms = (iso: unknown): number => (typeof iso === 'string' ? Date.parse(iso) : Number.NaN);

/** One `--json` line of `rollgate watch` as a demo event (null for the ones the demo skips). */
export function toWatchEvent(line: Json): WatchEvent | null {
  const at = ms(line.at);
  switch (line.type) {
    case 'notice':
      return { type: 'notice', at, level: str(line.level), message: str(line.message) };
    case 'transition':
      return { type: 'transition', at, from: str(line.from), to: str(line.to), reason: str(line.reason) };
    case 'evaluation': {
      const decision = (line.decision ?? {}) as Json;
      const signals = Array.isArray(line.signals) ? (line.signals as Json[]) : [];
      return {
        type: 'evaluation',
        at,
        purpose: line.purpose === 'verify' ? 'verify' : 'bake',
        elapsedSeconds: num(line.elapsedSeconds),
        remainingSeconds: num(line.remainingSeconds),
        warmingUp: line.warmingUp === true,
        decision: { type: str(decision.type), reason: str(decision.reason) },
        signals: signals.map((s) => ({
          signal: str(s.signal),
          status: str(s.status),
          reason: str(s.reason),
        })),
      };
    }
    case 'command': {
      const command = (line.command ?? {}) as Json;
      return { type: 'command', at, command: str(command.type), target: strOrNull(command.target) };
    }
    default:
      return null;
  }
}

/** The summary line (`type: "summary"`, always the last) as the demo's finish. */
export function toWatchFinish(summary: Json): WatchFinish {
  const breach = (summary.breach ?? null) as Json | null;
  const confirmedAt = breach ? ms(breach.confirmedAt) : Number.NaN;
  return {
    outcome: str(summary.outcome),
    reason: str(summary.reason),
    watchId: strOrNull(summary.watchId),
    recoveryVerified: typeof summary.recoveryVerified === 'boolean' ? summary.recoveryVerified : null,
    failedArtifact: strOrNull(summary.failedArtifact),
    restoredArtifact: strOrNull(summary.restoredArtifact),
    breachConfirmedAt: Number.isFinite(confirmedAt) ? confirmedAt : null,
    audit: strOrNull(summary.audit),
  };
}

/** A `rollgate watch` started by {@link startCliWatch}. */
export interface CliWatch {
  readonly process: CliProcess;
  readonly finished: Promise<WatchFinish>;
  /** The exact command line, for the demo's output. */
  readonly commandLine: string;
}

/**
 * Runs the real `rollgate watch --json` on the demo's configuration for the deployed artifact,
 * passing every event to `listener` as it arrives. Resolves with the summary line; a run that
 * ends without one (it crashed, or was killed) resolves to outcome `error` with its stderr.
 */
export function startCliWatch(options: {
  readonly config: string;
  readonly cwd: string;
  readonly artifactId: string;
  readonly deployedAt: number;
  readonly listener: WatchListener;
}): CliWatch {
  const args = [
    'watch',
    '--config',
    options.config,
    '--json',
    '--artifact',
    options.artifactId,
    '--deployed-at',
    new Date(options.deployedAt).toISOString(),
  ];
  let summary: Json | null = null;
  const process = startRollgate(args, {
    cwd: options.cwd,
    onLine(line) {
      if (!line.startsWith('{')) return;
      let parsed: Json;
      try {
        parsed = JSON.parse(line) as Json;
      } catch {
        return;
      }
      if (parsed.type === 'summary') {
        summary = parsed;
        return;
      }
      const event = toWatchEvent(parsed);
      if (event) options.listener(event);
    },
  });
  const finished = process.done.then((run): WatchFinish => {
    if (summary) return toWatchFinish(summary);
    const why = run.stderr.trim().split('\n').slice(-5).join('\n') || `exit ${run.code ?? run.signal}`;
    return {
      outcome: 'error',
      reason: `rollgate watch ended without a summary: ${why}`,
      watchId: null,
      recoveryVerified: null,
      failedArtifact: null,
      restoredArtifact: null,
      breachConfirmedAt: null,
      audit: null,
    };
  });
  return { process, finished, commandLine: `rollgate ${args.join(' ')}` };
}
