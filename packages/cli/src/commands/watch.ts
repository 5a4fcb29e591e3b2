import { defineCommand } from '../cli/command';

/** `rollgate watch`: one watch of a deploy, from the deploy event to an outcome. */
export const command = defineCommand({
  name: 'watch',
  summary: 'Watch a deploy to an outcome: promote it, or roll back to the last verified artifact.',
  usage:
    'rollgate watch [--config FILE] [--artifact ID --deployed-at TIME] [--dry-run] [--json] [--watch-id ID] [--report FILE] [--wait] [--metrics-listen HOST:PORT] [--no-preflight]',
  description: [
    'Reads the signals of the new version for the bake window, decides from evidence, and, when it',
    'is bad, puts traffic back on the last verified artifact, verifies recovery and writes the audit.',
    'Without --artifact, the executor says what is serving; without --deployed-at, its recent',
    'creation time, else now, is the deploy time (both are announced: a breach that began before',
    'the deploy time is treated as pre-existing). Ctrl-C or SIGTERM stop the watch and keep its snapshot:',
    're-running the same command (or the printed `--watch-id` command) resumes it, never',
    'cutting over twice. One watch per service runs at a time (a lease on the state): a second',
    'one exits 75 at once, or with --wait waits for the first to finish and then resumes or reports it.',
    '',
    'A new watch first reads every signal once over the baseline window (the preflight): a read that',
    'fails, or no data for any signal, stops it within seconds, naming the signal and its query.',
    '',
    'Exit codes: 0 promoted (kept), 10 rolled back (or, with --dry-run, would roll back),',
    '20 escalated, halted or kept on hold, 30 incident routed (the breach predates the deploy),',
    '2 invalid configuration or usage, 1 other failure, 75 another controller owns the watch,',
    '130/143 interrupted (resumable).',
  ].join('\n'),
  options: [
    {
      name: 'config',
      short: 'c',
      type: 'string',
      value: 'FILE',
      description:
        'Configuration file (default: rollgate.yaml, rollgate.yml or rollgate.json here, or $ROLLGATE_CONFIG).',
    },
    {
      name: 'artifact',
      short: 'a',
      type: 'string',
      value: 'ID',
      description: 'Artifact id of the new version (default: what the executor reports serving).',
    },
    {
      name: 'deployed-at',
      type: 'string',
      value: 'TIME',
      description:
        "When it started serving: ISO 8601 with a zone, or epoch seconds or ms (default: the artifact's recent creation time, else now).",
    },
    {
      name: 'dry-run',
      type: 'boolean',
      description: 'Evaluate and audit everything, execute nothing (no cutover, no verification record).',
    },
    {
      name: 'json',
      type: 'boolean',
      description: 'One JSON event per line; the last line is the summary object.',
    },
    {
      name: 'watch-id',
      type: 'string',
      value: 'ID',
      description: 'Resume this stored watch, or start one under this id.',
    },
    {
      name: 'no-preflight',
      type: 'boolean',
      description:
        'Skip the start-up read of every signal (a failing read otherwise stops a new watch in seconds).',
    },
    {
      name: 'report',
      type: 'string',
      value: 'FILE',
      description: 'Also write the HTML report of the outcome to FILE.',
    },
    {
      name: 'wait',
      type: 'boolean',
      description:
        'When another controller is watching this service, wait for its lease instead of exiting 75.',
    },
    {
      name: 'metrics-listen',
      type: 'string',
      value: 'HOST:PORT',
      description:
        "Serve Rollgate's own metrics (Prometheus exposition, /metrics) on HOST:PORT while the watch runs (docs/telemetry.md).",
    },
  ],
  examples: [
    'dep deploy stage=prod && rollgate watch --config rollgate.yaml',
    'rollgate watch --artifact 42@9fceb02 --deployed-at 2025-05-01T12:00:00Z --json',
    'rollgate watch --dry-run --report report.html',
    'rollgate watch --metrics-listen 127.0.0.1:9464',
  ],
  // The run (the core, the stores, the adapters, zod and YAML) loads only when the watch runs,
  // not for `rollgate watch --help`.
  run: async ({ args, io }) => (await import('../watch/run-watch')).runWatch(args, io),
});
