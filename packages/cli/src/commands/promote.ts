import { defineCommand } from '../cli/command';
import { CONTROL_HELP, CONTROL_OPTIONS } from '../control/control-help';

/** `rollgate promote`: a human request to a watch, delivered through the state store. */
export const command = defineCommand({
  name: 'promote',
  summary: 'End the bake of a running watch and keep the release (a human promotion, not a verification).',
  usage:
    'rollgate promote [--config FILE] [--service NAME | --watch-id ID] [--reason TEXT] [--wait SECONDS] [--json]',
  description: [
    [
      'Ends the bake of the watch now and keeps the release. It is recorded as a human promotion:',
      'the artifact is not recorded as verified (so it is not a rollback target later), because the',
      'evidence alone had not verified it. With progressive weights, the final weight is set first.',
      'Refused once a rollback has started (deploy the version again instead) or after the watch ended.',
    ].join('\n'),
    '',
    ...CONTROL_HELP,
  ].join('\n'),
  options: CONTROL_OPTIONS,
  examples: ['rollgate promote --service checkout --reason "verified by hand in staging"'],
  run: async ({ args, io }) => (await import('../control/run-control')).runControl('promote', args, io),
});
