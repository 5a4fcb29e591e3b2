import { Buffer } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import type { AuditRecord } from '../audit/audit-record';
import { parseAuditRecord } from '../audit/audit-validation';
import { RollgateError } from '../errors/rollgate-error';
import { fail, ok, type Result } from '../ports/result';

const COMPONENT = 'file-audit-sink';
const NEWLINE = 0x0a;

/** An unreadable final line, left by a crash in the middle of an append. */
export interface TornAuditLine {
  /** 1-based line number. */
  readonly line: number;
  /** Its length in bytes. */
  readonly bytes: number;
}

/** What an audit file holds. */
export interface AuditFileContents {
  /** Every complete record, in file order. */
  readonly records: readonly AuditRecord[];
  /**
   * The torn final line, if any: ignored here, and cut off by the sink's next write (the record
   * it held is written again by the resumed controller).
   */
  readonly tornTail: TornAuditLine | null;
}

/** {@link AuditFileContents} with the byte facts a writer needs to append safely. */
export interface ParsedAuditFile extends AuditFileContents {
  /** Bytes up to and including the last complete line (where a torn tail starts). */
  readonly completeBytes: number;
  /** True when the last record is complete but its newline was never written. */
  readonly missingNewline: boolean;
}

/**
 * Reads a JSON-lines audit file written by `createFileAuditSink` (for the CLI's `report`).
 * A missing file holds no records. Blank lines are skipped. A torn final line is ignored and
 * reported in `tornTail`. Any other line that is not a valid audit record is a `STORE_FAILED`
 * error naming the line, never a silent skip.
 */
export async function readAuditFile(path: string): Promise<Result<AuditFileContents>> {
  const parsed = await loadAuditFile(path);
  if (!parsed.ok) return parsed;
  return ok({ records: parsed.value.records, tornTail: parsed.value.tornTail });
}

/** Reads and parses an audit file, keeping the byte facts for appending. */
export async function loadAuditFile(path: string): Promise<Result<ParsedAuditFile>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      return ok({ records: [], tornTail: null, completeBytes: 0, missingNewline: false });
    return fail(
      new RollgateError(
        'STORE_FAILED',
        `Could not read the audit file ${path} (${code ?? 'unknown error'}); check its permissions.`,
        {
          component: COMPONENT,
          cause: error,
        },
      ),
    );
  }
  return parseAuditFile(bytes, path);
}

/** Parses the bytes of an audit file; see {@link readAuditFile} for the rules. */
export function parseAuditFile(bytes: Uint8Array, path: string): Result<ParsedAuditFile> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lastNewline = buffer.lastIndexOf(NEWLINE);
  const completeBytes = lastNewline + 1;
  const lines = buffer.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop(); // the empty string after the final newline
  const records: AuditRecord[] = [];
  for (const [index, text] of lines.entries()) {
    if (text.trim().length === 0) continue;
    const record = parseLine(text);
    if (!record.ok) {
      return fail(
        new RollgateError(
          'STORE_FAILED',
          `The audit file ${path} is corrupt at line ${index + 1}: ${record.error}. Fix or remove that line; the other records are intact.`,
          { component: COMPONENT, details: { path, line: index + 1 } },
        ),
      );
    }
    records.push(record.value);
  }
  const tail = buffer.subarray(completeBytes);
  if (tail.length === 0 || tail.toString('utf8').trim().length === 0) {
    return ok({ records, tornTail: null, completeBytes, missingNewline: false });
  }
  const last = parseLine(tail.toString('utf8'));
  if (last.ok) {
    // Complete JSON whose newline never reached the disk: a record, but the next append needs a
    // newline first.
    records.push(last.value);
    return ok({ records, tornTail: null, completeBytes: buffer.length, missingNewline: true });
  }
  return ok({
    records,
    tornTail: { line: lines.length + 1, bytes: tail.length },
    completeBytes,
    missingNewline: false,
  });
}

function parseLine(text: string): { ok: true; value: AuditRecord } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not valid JSON' };
  }
  const parsed = parseAuditRecord(json);
  if (!parsed.ok) return { ok: false, error: `not a valid audit record (${parsed.problem.description})` };
  return { ok: true, value: parsed.record };
}
