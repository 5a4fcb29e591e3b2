import type { WatchStatus } from '@rollgate/core';
import { formatCount, formatDuration } from '../format/value-format';
import { describeVerdict } from '../progress/signal-rows';

/**
 * One watch as `rollgate status` prints it: a headline (service, artifact, phase and for how
 * long), the reason, each signal's latest verdict with its evidence against its threshold,
 * the human requests, and what promote, abort and retry would do now.
 */
export function statusText(s: WatchStatus, now: number): string {
  const lines: string[] = [];
  const restored = s.restoredArtifact ? ` → ${s.restoredArtifact}` : '';
  const condition = { running: 'running', 'needs-human': 'NEEDS A HUMAN', ended: 'ended' }[s.condition];
  lines.push(
    `${s.service}  ${s.artifact}${restored}  ${s.state} for ${formatDuration(s.inStateMs / 1000)}  [${condition}${s.outcome ? `: ${s.outcome}` : ''}]${s.dryRun ? '  DRY RUN' : ''}`,
  );
  lines.push(`  watch ${s.watchId}, deployed ${new Date(s.deployedAt).toISOString()}`);
  if (s.reason) lines.push(`  ${s.reason}`);
  if (s.signals.length > 0) {
    const rows = s.signals.map((x) => {
      const d = describeVerdict(x);
      return {
        signal: x.signal,
        verdict: verdictWord(x.status, x.confirmed),
        ...d,
        samples: formatCount(x.samples),
      };
    });
    const w = {
      signal: Math.max(6, ...rows.map((r) => r.signal.length)),
      verdict: Math.max(7, ...rows.map((r) => r.verdict.length)),
      value: Math.max(5, ...rows.map((r) => r.value.length)),
      evidence: Math.max(8, ...rows.map((r) => r.evidence.length)),
    };
    const when = s.signals[0]?.at;
    lines.push(
      `  ${s.window === 'verify' ? 'recovery verification' : 'bake'}${when ? `, last evaluated ${formatDuration((now - when) / 1000)} ago` : ''}:`,
    );
    lines.push(
      `    ${'SIGNAL'.padEnd(w.signal)}  ${'VERDICT'.padEnd(w.verdict)}  ${'VALUE'.padEnd(w.value)}  ${'EVIDENCE'.padEnd(w.evidence)}  SAMPLES`,
    );
    for (const r of rows)
      lines.push(
        `    ${r.signal.padEnd(w.signal)}  ${r.verdict.padEnd(w.verdict)}  ${r.value.padEnd(w.value)}  ${r.evidence.padEnd(w.evidence)}  ${r.samples}`,
      );
  }
  for (const q of s.pendingRequests)
    lines.push(
      `  pending: ${q.action} by ${q.actor} ${formatDuration((now - q.requestedAt) / 1000)} ago${q.reason ? ` (${q.reason})` : ''}`,
    );
  for (const c of s.answeredRequests)
    lines.push(
      `  ${c.result}: ${c.action} by ${c.actor}${c.reason ? ` (${c.reason})` : ''} at ${new Date(c.at).toISOString()}: ${c.detail}`,
    );
  if (s.condition !== 'ended') {
    const can = (['promote', 'abort', 'retry'] as const).filter((a) => s.actions[a].accepted);
    if (can.length > 0)
      lines.push(`  a human can: ${can.map((a) => `${a} (${s.actions[a].detail})`).join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function verdictWord(status: string, confirmed: boolean): string {
  return status === 'breach' ? (confirmed ? 'BREACH!' : 'breach') : status;
}
