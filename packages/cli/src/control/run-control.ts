import { type ControlAction, RollgateError, requestControl, type WatchStatus } from '@rollgate/core';
import { systemClock } from '@rollgate/core/node';
import { flag, type ParsedArgs, stringOption } from '../cli/arg-parser';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import type { Io } from '../io/io';
import { runWatch } from '../watch/run-watch';
import { actorFrom } from './actor';
import { cliContext, openControlContext, readStatuses } from './control-context';

/**
 * `rollgate promote|abort|retry`: finds the watch (`--watch-id`, else the service's only
 * running watch, else its newest), judges and stores the request, then waits for the running
 * watch to answer, or runs a watch at rest here so the request takes effect.
 */
export async function runControl(action: ControlAction, args: ParsedArgs, io: Io): Promise<number> {
  const context = await openControlContext(args, io);
  let closed = false;
  const close = async () => {
    if (!closed) await context.close();
    closed = true;
  };
  try {
    return await requestAndReport(action, args, io, context, close);
  } finally {
    await close();
  }
}

async function requestAndReport(
  action: ControlAction,
  args: ParsedArgs,
  io: Io,
  { loaded, state, where }: Awaited<ReturnType<typeof openControlContext>>,
  close: () => Promise<void>,
): Promise<number> {
  const json = flag(args, 'json');
  const service = stringOption(args, 'service') ?? loaded.config.service;
  const wait = parseWait(stringOption(args, 'wait'), action);
  const target = await selectWatch(state, stringOption(args, 'watch-id'), service, where, action);
  const actor = actorFrom(io.env);
  const reason = stringOption(args, 'reason') ?? '';
  const answer = await requestControl(
    state,
    { watchId: target.watchId, action, actor, reason },
    { clock: systemClock, waitMs: wait * 1000, pollMs: 500 },
    cliContext(wait * 1000 + 30_000),
  );
  if (!answer.ok) throw answer.error;
  const a = answer.value;
  const line = {
    type: 'control',
    action,
    watchId: target.watchId,
    requestId: a.request.id,
    actor,
    reason,
    status: a.status,
    detail: a.detail,
    state: a.snapshot.state,
  };
  const say = (text: string) => (json ? io.stdout.write(`${JSON.stringify(line)}\n`) : io.stdout.write(text));
  if (a.status === 'refused') {
    say(`REFUSED: ${action} of watch ${target.watchId} (${a.snapshot.state}): ${a.detail}\n`);
    return EXIT_CODES.failure;
  }
  if (a.status === 'applied') {
    say(
      `APPLIED: ${action} by ${actor} to watch ${target.watchId}: ${a.detail}; it is now ${a.snapshot.state}.\n`,
    );
    return EXIT_CODES.ok;
  }
  if (a.atRest) {
    if (a.snapshot.service !== loaded.config.service) {
      throw new UsageError(
        `watch ${target.watchId} is at rest (${a.snapshot.state}) and belongs to service "${a.snapshot.service}": the request is stored; run this command with that service's configuration (or \`rollgate watch --watch-id ${target.watchId}\`) to apply it.`,
        action,
      );
    }
    say(
      `STORED: ${action} by ${actor} for watch ${target.watchId}, which is at rest (${a.snapshot.state}): running it here to apply it (${a.detail}).\n`,
    );
    const watchArgs: ParsedArgs = {
      options: {
        'watch-id': target.watchId,
        ...(stringOption(args, 'config') === undefined
          ? {}
          : { config: stringOption(args, 'config') as string }),
        ...(json ? { json: true } : {}),
      },
      positionals: [],
    };
    // The watch opens its own stores (and takes the service's lease); this connection is done.
    await close();
    return runWatch(watchArgs, io);
  }
  say(
    `PENDING: ${action} by ${actor} is stored for watch ${target.watchId} (${a.snapshot.state}) but was not applied within ${wait} s. Is a \`rollgate watch\` running it? \`rollgate watch --watch-id ${target.watchId}\` resumes it and applies the request first; \`rollgate status\` shows it.\n`,
  );
  return EXIT_CODES.pending;
}

/** The watch a request is for: `--watch-id`, else the service's only running watch, else its newest. */
async function selectWatch(
  state: Parameters<typeof readStatuses>[0],
  watchId: string | undefined,
  service: string,
  where: string,
  action: ControlAction,
): Promise<WatchStatus> {
  const now = Date.now();
  if (watchId !== undefined) {
    if (watchId.trim() === '') throw new UsageError('--watch-id must not be empty.', action);
    const { statuses } = await readStatuses(state, undefined, now);
    const found = statuses.find((s) => s.watchId === watchId);
    if (!found)
      throw notFound(`no watch ${JSON.stringify(watchId)} in ${where}; \`rollgate status\` lists them`);
    return found;
  }
  const { statuses } = await readStatuses(state, service, now);
  const running = statuses.filter((s) => s.condition === 'running');
  if (running.length > 1) {
    throw new UsageError(
      `${running.length} watches of ${service} are running: ${running.map((s) => s.watchId).join(', ')}; choose one with --watch-id.`,
      action,
    );
  }
  const chosen = running[0] ?? statuses[0];
  if (!chosen)
    throw notFound(
      `no watch of service ${JSON.stringify(service)} in ${where}; \`rollgate status\` lists the watches`,
    );
  return chosen;
}

function notFound(message: string): RollgateError {
  return new RollgateError('ARTIFACT_NOT_FOUND', message, { component: 'cli-control' });
}

function parseWait(text: string | undefined, action: ControlAction): number {
  if (text === undefined) return 60;
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0 || v > 3600)
    throw new UsageError(`--wait: expected seconds between 0 and 3600, got "${text}".`, action);
  return v;
}
