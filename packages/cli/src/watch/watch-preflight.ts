import {
  type Clock,
  type Contract,
  type MetricSource,
  preflightSignals,
  RollgateError,
} from '@rollgate/core';
import { formatDuration } from '../format/value-format';
import type { WatchReporter } from '../progress/watch-reporter';

/** How long the whole preflight may take: a read that hangs longer is a failure to report. */
const PREFLIGHT_DEADLINE_MS = 30_000;

/**
 * Before a new watch: one read of every query of every signal over the baseline window. A read
 * that fails (wrong URL, credential, metric name; after the usual retries) stops the watch before
 * anything is done, naming the signal, its source and its query; so does a preflight in which no
 * signal has any data (the selectors or metric names match nothing). A single signal without
 * data is a warning: a quiet service can have no requests, and the watch judges that as no-data.
 * It never changes what the watch then decides.
 */
export async function runPreflight(
  contract: Contract,
  sources: Readonly<Record<string, MetricSource>>,
  clock: Clock,
  signal: AbortSignal,
  out: WatchReporter,
  sourceNames: Readonly<Record<string, string>> = {},
): Promise<void> {
  const started = clock.now();
  const report = await preflightSignals(
    { contract, sources, clock },
    { signal, deadline: started + PREFLIGHT_DEADLINE_MS },
  );
  if (signal.aborted) {
    throw new RollgateError('ABORTED', 'The preflight was interrupted.', { component: 'cli-watch' });
  }
  const window = formatDuration(report.windowMs / 1000);
  if (report.failed.length > 0) {
    const lines = report.failed.flatMap((s) =>
      s.reads
        .filter((r) => r.status === 'error')
        .map(
          (r) =>
            `  - signal "${s.signal}" (source "${sourceNames[s.source] ?? s.source}"): ${r.error?.code}: ${r.error?.message} Query: ${r.query}`,
        ),
    );
    const first = report.failed[0]?.reads.find((r) => r.status === 'error')?.error;
    throw new RollgateError(
      (first?.code as RollgateError['code'] | undefined) ?? 'SOURCE_UNAVAILABLE',
      `preflight: ${report.failed.length} of ${report.signals.length} signal(s) cannot be read, so the watch did not start (nothing was done):\n${lines.join('\n')}\nFix the source (url, auth, headers, metric names) or the signal's query, then run again; --no-preflight skips this check.`,
      { component: 'cli-watch' },
    );
  }
  if (report.noData) {
    const queries = report.signals.flatMap((s) => s.reads.map((r) => `  - ${s.signal}: ${r.query}`));
    throw new RollgateError(
      'CONFIG_INVALID',
      `preflight: no signal has any data in the last ${window}, so the watch did not start (nothing was done): the selectors or metric names match nothing in the source. Queries read:\n${queries.join('\n')}\nCheck selector (and contract.signals[].selector) and sources.*.metrics; --no-preflight skips this check.`,
      { component: 'cli-watch' },
    );
  }
  for (const s of report.signals.filter((x) => x.status === 'no-data')) {
    out.notice(
      `preflight: signal ${s.signal} has no data in the last ${window} (${s.reads.map((r) => r.query).join('; ')}): check its selector and metric names; until it has data it is never judged healthy.`,
      'warning',
    );
  }
  for (const s of report.signals) {
    const partial = s.reads.find((r) => r.status === 'ok' && r.reason?.startsWith('partial data'));
    if (partial)
      out.notice(
        `preflight: signal ${s.signal}: the source answered, but flagged the answer as partial (${partial.reason}); the watch holds while data is partial.`,
        'warning',
      );
  }
  out.notice(
    `preflight: read ${report.signals.length} signal(s) over the last ${window} in ${Math.round(clock.now() - started)} ms: ${report.signals.map((s) => `${s.signal} ${s.status === 'ok' ? 'ok' : 'no data'}`).join(', ')}.`,
  );
}
