import { defineCommand } from '../cli/command';
import { CONTROL_HELP, CONTROL_OPTIONS } from '../control/control-help';

/** `rollgate abort`: a human request to a watch, delivered through the state store. */
export const command = defineCommand({
  name: 'abort',
  summary: 'Roll a watch back now, through the normal cutover, readiness gate and recovery verification.',
  usage:
    'rollgate abort [--config FILE] [--service NAME | --watch-id ID] [--reason TEXT] [--wait SECONDS] [--json]',
  description: [
    [
      'Rolls the watched release back now to the last verified artifact, through the same retrieval,',
      'cutover, readiness gate and recovery verification as an automatic rollback; the cooldown and',
      'no-chained-rollbacks guards, which hold back automatic rollbacks, do not stop a human.',
      'Refused once a rollback is in flight or done, and after a promotion.',
    ].join('\n'),
    '',
    ...CONTROL_HELP,
  ].join('\n'),
  options: CONTROL_OPTIONS,
  examples: ['rollgate abort --service checkout --reason "customers report failed payments"'],
  run: async ({ args, io }) => (await import('../control/run-control')).runControl('abort', args, io),
});
