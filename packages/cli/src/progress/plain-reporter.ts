import type { Command, ControllerEvents, Evaluation, MachineSnapshot } from '@rollgate/core';
import { formatDuration } from '../format/value-format';
import type { OutputStream } from '../io/io';
import { annotation } from './github-actions';
import { decisionText, rowText, signalRows } from './signal-rows';
import type { WatchReporter, WatchStart, WatchSummary } from './watch-reporter';

/**
 * Progress for logs (stdout is not a terminal): one timestamped line per evaluation summary and
 * per transition. With `githubActions`, the bake and the verification are folded into
 * `::group::` sections and the outcome becomes an `::error::` (escalated, halted) or
 * `::warning::` (rolled back, would roll back, on hold, incident) annotation.
 */
export function createPlainReporter(
  out: OutputStream,
  options: { readonly githubActions: boolean },
): WatchReporter {
  let start: WatchStart | undefined;
  let latest: MachineSnapshot | undefined;
  let groupOpen = false;
  const line = (at: number, text: string) => out.write(`${new Date(at).toISOString()} ${text}\n`);
  const openGroup = (title: string) => {
    if (!options.githubActions) return;
    if (groupOpen) out.write('::endgroup::\n');
    out.write(`::group::${title}\n`);
    groupOpen = true;
  };
  const closeGroup = () => {
    if (options.githubActions && groupOpen) out.write('::endgroup::\n');
    groupOpen = false;
  };

  return {
    start(s) {
      start = s;
      openGroup(`Rollgate: baking ${s.service} ${s.artifactId}`);
      const c = s.contract;
      line(
        s.at,
        `${s.resumed ? 'resume' : 'start'} ${s.service}: watching ${s.artifactId} deployed ${new Date(s.deployedAt).toISOString()}; bake ${c.bakeSeconds} s, step ${c.stepSeconds} s, alpha ${c.alpha}, ${c.signals.length} signal(s): ${c.signals.map((x) => x.id).join(', ')}${s.dryRun ? '; DRY RUN: nothing will be executed' : ''}`,
      );
      line(s.at, `watch id ${s.watchId}; executor ${s.executor}; state ${s.stateDir}`);
    },
    notice(message, level = 'info') {
      line(Date.now(), `${level === 'warning' ? 'warning' : 'note'}: ${message}`);
      if (level === 'warning' && options.githubActions)
        out.write(`${annotation('warning', 'Rollgate', message)}\n`);
    },
    evaluation(e: Evaluation) {
      if (!start) return;
      const rows = signalRows(e, start.contract, latest?.bake.baseline ?? null)
        .map(rowText)
        .join('; ');
      const restored = latest?.cutover ? latest.target?.id : undefined;
      const phase = e.purpose === 'bake' ? 'bake' : `verify${restored ? ` ${restored}` : ''}`;
      const total = e.elapsedSeconds + e.remainingSeconds;
      line(
        e.at,
        `evaluation ${phase} ${formatDuration(e.elapsedSeconds)}/${formatDuration(Math.max(total, e.elapsedSeconds))}${e.warmingUp ? ' (warm-up)' : ''}: ${rows}; ${e.purpose === 'verify' ? 'recovery' : 'decision'} ${decisionText(e)}: ${e.decision.reason}`,
      );
    },
    snapshot(s) {
      latest = s;
    },
    transition(t: ControllerEvents['transition']) {
      if (t.to === 'Verifying') openGroup(`Rollgate: verifying recovery of ${start?.service ?? ''}`);
      line(t.at, `transition ${t.from} -> ${t.to}: ${t.reason}`);
    },
    command(c: Command, at: number) {
      if (c.type === 'cutover') line(at, `cutover to ${c.target.id} (operation ${c.operationId})`);
    },
    storeError(e, at) {
      line(at, `warning: could not ${e.operation}: ${e.error.code}: ${e.error.message}`);
    },
    finish(summary: WatchSummary, headline: string) {
      closeGroup();
      const at = Date.now();
      line(at, `${headline}`);
      line(at, `outcome ${summary.outcome} (exit ${summary.exitCode}): ${summary.reason}`);
      if (summary.failedArtifact || summary.restoredArtifact) {
        line(
          at,
          `failed artifact ${summary.failedArtifact ?? '–'}; restored artifact ${summary.restoredArtifact ?? '–'}`,
        );
      }
      const ended = summary.outcome !== 'interrupted' && summary.outcome !== 'error';
      if (summary.audit && ended)
        line(
          at,
          `audit ${summary.audit} (watch ${summary.watchId ?? '?'}); report: rollgate report ${summary.audit}${summary.watchId ? ` --watch-id ${summary.watchId}` : ''}`,
        );
      if (summary.report) line(at, `report ${summary.report}`);
      if (summary.resume) line(at, `resume with: ${summary.resume}`);
      if (options.githubActions) {
        const level = levelFor(summary.outcome);
        if (level)
          out.write(
            `${annotation(level, `Rollgate: ${summary.outcome}`, `${headline}. ${summary.reason}`)}\n`,
          );
      }
    },
  };
}

function levelFor(outcome: WatchSummary['outcome']): 'error' | 'warning' | null {
  switch (outcome) {
    case 'escalated':
    case 'halted':
    case 'error':
      return 'error';
    case 'rolled-back':
    case 'would-roll-back':
    case 'kept-on-hold':
    case 'incident-routed':
    case 'interrupted':
      return 'warning';
    case 'promoted':
      return null;
  }
}
