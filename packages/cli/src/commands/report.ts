import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { stringOption } from '../cli/arg-parser';
import { defineCommand } from '../cli/command';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import { loadAuditRecords } from '../report/load-audit-records';
import { renderReport } from '../report/render-report';

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
  async run({ args, io }) {
    const source = resolve(io.cwd, args.positionals[0] as string);
    const { records, warning } = await loadAuditRecords(source);
    if (warning) io.stderr.write(`rollgate report: warning: ${warning}\n`);
    const wanted = stringOption(args, 'watch-id');
    const record = wanted === undefined ? records.at(-1) : records.findLast((r) => r.watchId === wanted);
    if (!record) {
      const known = records.map((r) => r.watchId);
      throw new UsageError(
        `no record for watch ${JSON.stringify(wanted)} in ${source}; it holds ${known.length} record(s): ${known.slice(-10).join(', ')}${known.length > 10 ? ', …' : ''}.`,
        'report',
      );
    }
    if (wanted === undefined && records.length > 1) {
      io.stderr.write(
        `rollgate report: ${records.length} records in the file; reporting the last, watch ${record.watchId} (choose another with --watch-id).\n`,
      );
    }
    const html = renderReport(record, { source });
    const out =
      stringOption(args, 'out') ?? `rollgate-report-${record.watchId.replace(/[^A-Za-z0-9._-]+/g, '_')}.html`;
    if (out === '-') {
      io.stdout.write(html);
      return EXIT_CODES.ok;
    }
    const file = resolve(io.cwd, out);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, html);
    io.stdout.write(`${file}\n`);
    return EXIT_CODES.ok;
  },
});
