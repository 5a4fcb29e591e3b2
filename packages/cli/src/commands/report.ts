import { defineCommand } from '../cli/command';

/** `rollgate report`: the HTML post-incident report of one watch. */
export const command = defineCommand({
  name: 'report',
  summary: 'Write the self-contained HTML report of a watch from its audit record.',
  usage: 'rollgate report AUDIT [--watch-id ID] [--out FILE]',
  description: [
    'AUDIT is the JSON-lines audit file a watch wrote (state.dir/audit.jsonl) or a file holding',
    'one record. With several records, --watch-id picks one; otherwise the newest (last) is used.',
    'The page has no scripts and loads nothing: inline CSS and SVG only, safe to attach to a',
    'ticket or open offline. See https://github.com/rollgate/rollgate/blob/main/docs/report.md.',
  ].join('\n'),
  positionals: [
    { name: 'AUDIT', description: 'Audit file (JSON lines) or a single record (JSON).', required: true },
  ],
  options: [
    {
      name: 'watch-id',
      type: 'string',
      value: 'ID',
      description: 'The watch to report (default: the last record in the file).',
    },
    {
      name: 'out',
      short: 'o',
      type: 'string',
      value: 'FILE',
      description: 'Where to write the HTML (default: rollgate-report-<watch id>.html; "-" for stdout).',
    },
  ],
  examples: [
    'rollgate report .rollgate/audit.jsonl --out report.html',
    'rollgate report audit.jsonl --watch-id "checkout--42@9fceb02--1746100800000" --out -',
  ],
  // The run (and what it imports) loads only when the command runs, not for its --help.
  run: async ({ args, io }) => (await import('../report/run-report')).runReport(args, io),
});
