import type { OptionSpec } from '../cli/arg-parser';
import { CONFIG_OPTION } from '../cli/command';

/**
 * The help of `promote`, `abort` and `retry`, apart from their run (`run-control.ts`): a
 * command's help loads only this, not the core, the stores and the adapters its run needs.
 */
/** The flags `promote`, `abort` and `retry` share. */
export const CONTROL_OPTIONS: readonly OptionSpec[] = [
  CONFIG_OPTION,
  {
    name: 'service',
    short: 's',
    type: 'string',
    value: 'NAME',
    description: "The service whose running watch to steer (default: the configuration's).",
  },
  {
    name: 'watch-id',
    type: 'string',
    value: 'ID',
    description: 'The watch to steer (see `rollgate status`).',
  },
  {
    name: 'reason',
    short: 'r',
    type: 'string',
    value: 'TEXT',
    description: 'Why; recorded in the audit with who asked.',
  },
  {
    name: 'wait',
    type: 'string',
    value: 'SECONDS',
    description: 'How long to wait for the running watch to apply it (default 60; 0: do not wait).',
  },
  {
    name: 'json',
    type: 'boolean',
    description: 'The answer as one JSON line (then the watch, when it runs here).',
  },
];

/** The exit codes and what the request does, for each command's help. */
export const CONTROL_HELP = [
  'The request is stored in the state store under its own key; the process running the watch',
  'applies it at its next step (it looks every second while it waits for an evaluation) and',
  'records who asked (ROLLGATE_ACTOR, else github:$GITHUB_ACTOR, else user@host) and why in the',
  'audit. A watch at rest (halted, escalated or held) is run to its new outcome by this command,',
  'with the output and exit code of `rollgate watch`.',
  '',
  'Exit codes: 0 applied by the running watch (or, run here: the outcome codes of `rollgate watch`),',
  '1 refused (the answer says why) or no such watch, 3 stored but not applied within --wait,',
  '2 usage (also: several running watches and no --watch-id).',
];
