import { readFile } from 'node:fs/promises';
import { type AuditRecord, AuditRecordSchema, formatZodIssues, RollgateError } from '@rollgate/core';
import { readAuditFile } from '@rollgate/core/node';

/** The records of an audit file, and a warning about a torn final line if there was one. */
export interface LoadedAudit {
  readonly records: readonly AuditRecord[];
  readonly warning: string | null;
}

/**
 * Reads audit records from a JSON-lines audit file (as `rollgate watch` writes) or from a file
 * holding one record (pretty-printed or not). A missing file, an empty one, or a record that
 * does not match the audit schema is a `STORE_FAILED` error naming the file and the field.
 */
export async function loadAuditRecords(file: string): Promise<LoadedAudit> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new RollgateError(
      'STORE_FAILED',
      `cannot read ${file} (${code}); give the audit file a watch wrote (state.dir/audit.jsonl).`,
      {
        component: 'cli-report',
      },
    );
  }
  const single = parseSingle(text);
  if (single !== undefined) {
    const parsed = AuditRecordSchema.safeParse(single);
    if (!parsed.success) {
      throw new RollgateError(
        'STORE_FAILED',
        `${file} is not a Rollgate audit record:\n${formatZodIssues(parsed.error)
          .map((l) => `  - ${l}`)
          .join('\n')}`,
        { component: 'cli-report' },
      );
    }
    return { records: [parsed.data], warning: null };
  }
  const lines = await readAuditFile(file);
  if (!lines.ok) throw lines.error;
  if (lines.value.records.length === 0) {
    throw new RollgateError('STORE_FAILED', `${file} holds no audit records yet.`, {
      component: 'cli-report',
    });
  }
  const torn = lines.value.tornTail;
  return {
    records: lines.value.records,
    warning: torn ? `${file} ends with a torn line (line ${torn.line}); it was ignored.` : null,
  };
}

/** The document when the whole file is one JSON object (a single record), else undefined. */
function parseSingle(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
