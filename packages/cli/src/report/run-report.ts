import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type ParsedArgs, stringOption } from '../cli/arg-parser';
import { EXIT_CODES } from '../cli/exit-codes';
import { UsageError } from '../cli/usage-error';
import type { Io } from '../io/io';
import { loadAuditRecords } from './load-audit-records';
import { renderReport } from './render-report';

/** The run of `rollgate report` (its definition and help: commands/report.ts). */
export async function runReport(args: ParsedArgs, io: Io): Promise<number> {
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
}
