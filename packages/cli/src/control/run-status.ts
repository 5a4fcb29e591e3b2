import { flag, type ParsedArgs, stringOption } from '../cli/arg-parser';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import type { Io } from '../io/io';
import { type ControlContext, openControlContext, readStatuses } from './control-context';
import { statusText } from './status-text';

/** The run of `rollgate status` (its definition and help: commands/status.ts). */
export async function runStatus(args: ParsedArgs, io: Io): Promise<number> {
  const context = await openControlContext(args, io);
  try {
    return await showStatus(args, io, context);
  } finally {
    await context.close();
  }
}

async function showStatus(args: ParsedArgs, io: Io, { state, where }: ControlContext): Promise<number> {
  const watchId = stringOption(args, 'watch-id');
  if (watchId !== undefined && watchId.trim() === '')
    throw new UsageError('--watch-id must not be empty.', 'status');
  const now = Date.now();
  const read = await readStatuses(state, stringOption(args, 'service'), now);
  const statuses = watchId === undefined ? read.statuses : read.statuses.filter((s) => s.watchId === watchId);
  const damaged = watchId === undefined ? read.damaged : read.damaged.filter((d) => d.watchId === watchId);
  if (watchId !== undefined && statuses.length === 0 && damaged.length === 0) {
    io.stderr.write(`rollgate status: no watch ${JSON.stringify(watchId)} in ${where}.\n`);
    return EXIT_CODES.failure;
  }
  const counts = {
    running: statuses.filter((s) => s.condition === 'running').length,
    needsHuman: statuses.filter((s) => s.condition === 'needs-human').length,
    ended: statuses.filter((s) => s.condition === 'ended').length,
    damaged: damaged.length,
  };
  const exitCode =
    damaged.length > 0
      ? EXIT_CODES.failure
      : counts.needsHuman > 0
        ? EXIT_CODES.needsHuman
        : counts.running > 0
          ? EXIT_CODES.pending
          : EXIT_CODES.ok;
  if (flag(args, 'json')) {
    for (const s of statuses) io.stdout.write(`${JSON.stringify({ type: 'watch', ...s }, finite)}\n`);
    for (const d of damaged)
      if ('problem' in d)
        io.stdout.write(
          `${JSON.stringify({ type: 'damaged', watchId: d.watchId, error: { code: d.problem.code, message: d.problem.message } })}\n`,
        );
    io.stdout.write(
      `${JSON.stringify({ type: 'summary', watches: statuses.length, ...counts, exitCode })}\n`,
    );
    return exitCode;
  }
  if (statuses.length === 0 && damaged.length === 0) {
    io.stdout.write(
      `No watches in ${where}${stringOption(args, 'service') ? ` for service ${stringOption(args, 'service')}` : ''}.\n`,
    );
    return exitCode;
  }
  io.stdout.write(statuses.map((s) => statusText(s, now)).join('\n'));
  for (const d of damaged)
    if ('problem' in d) io.stdout.write(`\nDAMAGED ${d.watchId}: ${d.problem.code}: ${d.problem.message}\n`);
  io.stdout.write(
    `\n${statuses.length} watch(es): ${counts.running} running, ${counts.needsHuman} need a human, ${counts.ended} ended${damaged.length ? `, ${damaged.length} damaged` : ''}.\n`,
  );
  return exitCode;
}

function finite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
