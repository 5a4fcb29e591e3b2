import { defineCommand } from '../cli/command';
import { CONTROL_HELP, CONTROL_OPTIONS } from '../control/control-help';

/** `rollgate retry`: a human request to a watch, delivered through the state store. */
export const command = defineCommand({
  name: 'retry',
  summary: 'Resume a halted or escalated watch at the step that failed.',
  usage:
    'rollgate retry [--config FILE] [--service NAME | --watch-id ID] [--reason TEXT] [--wait SECONDS] [--json]',
  description: [
    [
      'Resumes a halted or escalated watch at the step that failed: the retrieval (once a verified',
      'artifact exists), the cutover (under a new operation id), the readiness gate, the recovery',
      'verification (a new window), the onset check, the bake (error counters reset), or where the',
      'kill switch stopped it. Its next ending is a new revision of the audit record. Refused for a',
      'watch escalated by a guard (use abort or promote) and for a running or ended watch.',
    ].join('\n'),
    '',
    ...CONTROL_HELP,
  ].join('\n'),
  options: CONTROL_OPTIONS,
  examples: [
    'rollgate retry --watch-id checkout--42_9fceb02--1746100800000 --reason "v41 recorded as verified"',
  ],
  run: async ({ args, io }) => (await import('../control/run-control')).runControl('retry', args, io),
});
