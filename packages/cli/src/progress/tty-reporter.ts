import type {
  Command,
  ControllerEvents,
  Evaluation,
  MachineSnapshot,
  MachineStateName,
} from '@rollgate/core';
import { formatDuration } from '../format/value-format';
import type { OutputStream } from '../io/io';
import { decisionText, type SignalRow, signalRows } from './signal-rows';
import type { WatchReporter, WatchStart, WatchSummary } from './watch-reporter';

/** Options of {@link createTtyReporter}. */
export interface TtyReporterOptions {
  /** ANSI colours (off with `NO_COLOR`). */
  readonly color: boolean;
  /** Redraw the header this often so the clock moves between evaluations; 0 disables. Default 1000 ms. */
  readonly tickMs?: number;
  readonly now?: () => number;
}

const ESC = '\u001b[';
const COLORS = {
  red: '31',
  green: '32',
  yellow: '33',
  magenta: '35',
  cyan: '36',
  dim: '2',
  bold: '1',
} as const;

/**
 * Progress on a terminal: a header with the bake (or verification) time elapsed and left, and a
 * table of every signal's verdict, value, threshold and statistic, redrawn in place after each
 * evaluation (plain ANSI cursor movement). Transitions and notices print above the table and
 * stay in the scrollback.
 */
export function createTtyReporter(out: OutputStream, options: TtyReporterOptions): WatchReporter {
  const now = options.now ?? Date.now;
  const paint = (color: keyof typeof COLORS, text: string) =>
    options.color ? `${ESC}${COLORS[color]}m${text}${ESC}0m` : text;
  let start: WatchStart | undefined;
  let last: Evaluation | undefined;
  let state: MachineStateName = 'Starting';
  let latest: MachineSnapshot | undefined;
  let drawnRows = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  // A pseudo-terminal without a size reports 0 columns: assume a common width then.
  const width = () => (out.columns !== undefined && out.columns > 0 ? Math.max(20, out.columns) : 100);
  /** Terminal rows a line occupies, so lines that wrap are erased completely. */
  const rowsOf = (line: string) => Math.max(1, Math.ceil(visible(line).length / width()));

  const erase = () => {
    if (drawnRows > 0) out.write(`${ESC}${drawnRows}F${ESC}J`);
    drawnRows = 0;
  };
  const draw = () => {
    const lines = block();
    if (lines.length === 0) return;
    out.write(`${lines.join('\n')}\n`);
    drawnRows = lines.reduce((n, l) => n + rowsOf(l), 0);
  };
  const redraw = () => {
    erase();
    draw();
  };
  const permanent = (text: string) => {
    erase();
    out.write(`${text}\n`);
    draw();
  };

  function header(): string[] {
    if (!start) return [];
    const s = start;
    const tags = [
      s.dryRun ? paint('yellow', ' DRY RUN ') : '',
      s.resumed ? paint('cyan', ' resumed ') : '',
    ].join('');
    // During the recovery verification the artifact that matters is the one restored.
    const restored = latest?.cutover ? latest.target?.id : undefined;
    const subject =
      restored && (state === 'Verifying' || last?.purpose === 'verify')
        ? `${restored} (restored; ${s.artifactId} rolled back)`
        : s.artifactId;
    const title = `${paint('bold', 'rollgate')}  ${s.service}  ${subject}  ${paint('dim', `[${state}]`)}${tags}`;
    const t = now();
    const purpose = last?.purpose ?? 'bake';
    const phaseStart = last ? last.deployAt : s.deployedAt;
    const phaseEnd = last
      ? last.at + last.remainingSeconds * 1000
      : s.deployedAt + s.contract.bakeSeconds * 1000;
    const elapsed = Math.max(0, (t - phaseStart) / 1000);
    const left = Math.max(0, (phaseEnd - t) / 1000);
    const total = Math.max(1, elapsed + left);
    const bar = progressBar(elapsed / total, 20);
    const label = purpose === 'bake' ? 'BAKE  ' : 'VERIFY';
    return [
      title,
      `${paint('bold', label)} ${bar} ${formatDuration(elapsed)} elapsed · ${formatDuration(left)} left · step ${s.contract.stepSeconds}s · alpha ${s.contract.alpha}${last?.warmingUp ? ' · warming up' : ''}`,
    ];
  }

  function table(): string[] {
    if (!start) return [];
    if (!last)
      return [paint('dim', `  waiting for the first evaluation (every ${start.contract.stepSeconds}s)…`)];
    const rows = signalRows(last, start.contract, latest?.bake.baseline ?? null);
    const cols = {
      signal: Math.max(6, ...rows.map((r) => r.signal.length)),
      verdict: 12,
      value: Math.max(5, ...rows.map((r) => r.value.length)),
      evidence: Math.max(8, ...rows.map((r) => r.evidence.length)),
    };
    const head = `  ${'SIGNAL'.padEnd(cols.signal)}  ${'VERDICT'.padEnd(cols.verdict)}  ${'VALUE'.padEnd(cols.value)}  ${'EVIDENCE'.padEnd(cols.evidence)}  SAMPLES`;
    const body = rows.map(
      (r) =>
        `  ${r.signal.padEnd(cols.signal)}  ${verdictCell(r, cols.verdict)}  ${r.value.padEnd(cols.value)}  ${r.evidence.padEnd(cols.evidence)}  ${r.samples}${r.segments ? `  ${r.segments}` : ''}`,
    );
    const label = last.purpose === 'verify' ? 'recovery:' : 'decision:';
    const decision = `  ${paint('dim', label)} ${decisionText(last)} — ${last.decision.reason}`;
    return [paint('dim', head), ...body, clip(decision, width() - 1)];
  }

  function verdictCell(r: SignalRow, pad: number): string {
    const text = r.status === 'breach' ? (r.confirmed ? 'BREACH!' : 'breach') : r.status;
    const mark = { pass: '✔', breach: '✖', 'no-data': '…', error: '!' }[r.status];
    const cell = `${mark} ${text}`.padEnd(pad);
    const color = { pass: 'green', breach: 'red', 'no-data': 'yellow', error: 'magenta' } as const;
    return paint(color[r.status], cell);
  }

  const block = () => [...header(), ...table()];
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

  return {
    start(s) {
      start = s;
      out.write(`${paint('dim', `watch ${s.watchId} · executor ${s.executor} · state ${s.stateDir}`)}\n`);
      draw();
      if ((options.tickMs ?? 1000) > 0) {
        timer = setInterval(redraw, options.tickMs ?? 1000);
        timer.unref?.();
      }
    },
    notice(message, level = 'info') {
      permanent(
        level === 'warning' ? paint('yellow', `warning: ${message}`) : paint('dim', `note: ${message}`),
      );
    },
    evaluation(e) {
      last = e;
      redraw();
    },
    snapshot(s) {
      latest = s;
    },
    transition(t: ControllerEvents['transition']) {
      state = t.to;
      const color =
        t.to === 'RolledBack' || t.to === 'Promoted'
          ? 'green'
          : ['Escalated', 'Halted', 'Validating'].includes(t.to)
            ? 'red'
            : 'cyan';
      permanent(`${paint('dim', time(t.at))} ${paint(color, `${t.from} → ${t.to}`)}  ${t.reason}`);
    },
    command(c: Command, at: number) {
      if (c.type === 'cutover')
        permanent(
          `${paint('dim', time(at))} ${paint('bold', `cutting over to ${c.target.id}`)} (operation ${c.operationId})`,
        );
    },
    storeError(e, at) {
      permanent(
        paint('yellow', `${time(at)} warning: could not ${e.operation}: ${e.error.code}: ${e.error.message}`),
      );
    },
    finish(summary: WatchSummary, headline: string) {
      if (timer !== undefined) clearInterval(timer);
      redraw();
      drawnRows = 0;
      const color =
        summary.exitCode === 0
          ? 'green'
          : summary.exitCode === 10 || summary.exitCode >= 128
            ? 'yellow'
            : 'red';
      const lines = [
        '',
        paint('bold', paint(color, headline)),
        `  outcome ${summary.outcome} · exit ${summary.exitCode}`,
        `  ${summary.reason}`,
      ];
      if (summary.failedArtifact || summary.restoredArtifact) {
        lines.push(`  failed ${summary.failedArtifact ?? '–'} → restored ${summary.restoredArtifact ?? '–'}`);
      }
      const ended = summary.outcome !== 'interrupted' && summary.outcome !== 'error';
      if (summary.audit && ended) lines.push(`  audit ${summary.audit}`);
      if (summary.report) lines.push(`  report ${summary.report}`);
      else if (summary.audit && summary.watchId && ended)
        lines.push(paint('dim', `  report: rollgate report ${summary.audit} --watch-id ${summary.watchId}`));
      if (summary.resume) lines.push(`  resume with: ${paint('bold', summary.resume)}`);
      out.write(`${lines.join('\n')}\n`);
    },
  };
}

function progressBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this strips
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** The text without ANSI escapes: what occupies columns on the terminal. */
export function visible(text: string): string {
  return text.replace(ANSI, '');
}

function clip(text: string, max: number): string {
  const plain = visible(text);
  if (plain.length <= max) return text;
  return `${plain.slice(0, Math.max(1, max - 1))}…`;
}
