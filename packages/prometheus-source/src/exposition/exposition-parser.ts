import { parseSampleValue } from '../reply/sample-value';

/** A metric family type from a `# TYPE` line (OpenMetrics types included). */
export type ExpositionMetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'unknown'
  | 'gaugehistogram'
  | 'stateset'
  | 'info';

/** One sample line of an exposition: a series (name and labels) and its value. */
export interface ExpositionSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** May be NaN or ±Infinity, as the exporter wrote it. */
  readonly value: number;
  /** The optional explicit timestamp (ms); scrapers may ignore it. */
  readonly timestampMs?: number;
}

/** A line the parser could not read. */
export interface ExpositionParseError {
  /** 1-based line number. */
  readonly line: number;
  readonly message: string;
}

/** What {@link parseExposition} read: samples in order, declared types, and any bad lines. */
export interface ExpositionParseResult {
  readonly samples: readonly ExpositionSample[];
  /** Family name → declared type, from `# TYPE` lines. */
  readonly types: ReadonlyMap<string, ExpositionMetricType>;
  /** Lines that could not be parsed. Prometheus fails the whole scrape when there is any. */
  readonly errors: readonly ExpositionParseError[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'unknown',
  'gaugehistogram',
  'stateset',
  'info',
]);
/** More errors than this are summarised: a binary body would otherwise produce one per line. */
const MAX_ERRORS = 20;

class LineError extends Error {}

/** A cursor over one line. */
class LineReader {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipBlanks(): number {
    const from = this.pos;
    while (this.peek() === ' ' || this.peek() === '\t') this.pos += 1;
    return this.pos - from;
  }

  match(pattern: RegExp): string | undefined {
    const found = pattern.exec(this.text.slice(this.pos));
    if (found === null) return undefined;
    this.pos += found[0].length;
    return found[0];
  }

  expect(char: string, what: string): void {
    if (this.peek() !== char) {
      throw new LineError(`expected ${what} at column ${this.pos + 1}, found ${describeChar(this.peek())}`);
    }
    this.pos += 1;
  }

  /** A double-quoted string with the exposition escapes `\\`, `\"` and `\n`. */
  quoted(): string {
    this.expect('"', 'a quote');
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === '') throw new LineError('unterminated quoted string');
      this.pos += 1;
      if (ch === '"') return out;
      if (ch === '\\') {
        const next = this.peek();
        if (next === '') throw new LineError('unterminated escape in a quoted string');
        this.pos += 1;
        // Prometheus replaces these three and keeps any other escape as written.
        out += next === 'n' ? '\n' : next === '\\' || next === '"' ? next : `\\${next}`;
      } else {
        out += ch;
      }
    }
  }

  /** The next run of characters up to a blank or the end. */
  token(): string {
    const from = this.pos;
    while (!this.done && this.peek() !== ' ' && this.peek() !== '\t') this.pos += 1;
    return this.text.slice(from, this.pos);
  }
}

function describeChar(ch: string): string {
  return ch === '' ? 'the end of the line' : JSON.stringify(ch);
}

/** `{a="1",b="2"}` after the opening brace; a quoted first entry without `=` is the metric name. */
function readLabelSet(
  reader: LineReader,
  name: string | undefined,
): { name: string; labels: Record<string, string> } {
  // A Map, so a label called __proto__ is data like any other.
  const labels = new Map<string, string>();
  let metric = name;
  reader.skipBlanks();
  while (reader.peek() !== '}') {
    let labelName: string | undefined;
    if (reader.peek() === '"') {
      const text = reader.quoted();
      reader.skipBlanks();
      if (reader.peek() !== '=') {
        // Prometheus 3 UTF-8 form: {"metric.name", label="v"}.
        if (metric !== undefined) throw new LineError('a metric name is given twice');
        metric = text;
      } else {
        labelName = text;
      }
    } else {
      labelName = reader.match(LABEL_NAME);
      if (labelName === undefined) {
        throw new LineError(
          `expected a label name at column ${reader.pos + 1}, found ${describeChar(reader.peek())}`,
        );
      }
      reader.skipBlanks();
    }
    if (labelName !== undefined) {
      reader.expect('=', '"="');
      reader.skipBlanks();
      const value = reader.quoted();
      if (labels.has(labelName)) throw new LineError(`label ${labelName} appears twice`);
      labels.set(labelName, value);
    }
    reader.skipBlanks();
    if (reader.peek() === ',') {
      reader.pos += 1;
      reader.skipBlanks();
    } else if (reader.peek() !== '}') {
      throw new LineError(
        `expected "," or "}" at column ${reader.pos + 1}, found ${describeChar(reader.peek())}`,
      );
    }
  }
  reader.pos += 1;
  if (metric === undefined || metric.length === 0) throw new LineError('the sample has no metric name');
  return { name: metric, labels: Object.fromEntries(labels) };
}

function readSample(line: string): ExpositionSample {
  const reader = new LineReader(line);
  let name = reader.match(METRIC_NAME);
  let labels: Record<string, string> = {};
  if (reader.peek() === '{') {
    reader.pos += 1;
    const set = readLabelSet(reader, name);
    name = set.name;
    labels = set.labels;
  }
  if (name === undefined) {
    throw new LineError(
      `expected a metric name at column ${reader.pos + 1}, found ${describeChar(reader.peek())}`,
    );
  }
  if (reader.skipBlanks() === 0) {
    throw new LineError(`expected a space and a value after ${name}, found ${describeChar(reader.peek())}`);
  }
  const valueText = reader.token();
  const value = parseSampleValue(valueText);
  if (value === undefined) throw new LineError(`${JSON.stringify(valueText.slice(0, 40))} is not a number`);
  reader.skipBlanks();
  let timestampMs: number | undefined;
  if (!reader.done && reader.peek() !== '#') {
    const text = reader.token();
    // Text format 0.0.4: integer milliseconds. OpenMetrics: float seconds.
    const ts = /^-?\d+$/.test(text)
      ? Number(text)
      : /^-?\d+\.\d+$/.test(text)
        ? Number(text) * 1000
        : Number.NaN;
    if (!Number.isFinite(ts)) throw new LineError(`${JSON.stringify(text.slice(0, 40))} is not a timestamp`);
    timestampMs = ts;
    reader.skipBlanks();
  }
  // An OpenMetrics exemplar (`# {trace_id="..."} 1.0`) may follow; it is not a sample.
  if (!reader.done && reader.peek() !== '#') {
    throw new LineError(
      `unexpected text ${JSON.stringify(line.slice(reader.pos, reader.pos + 40))} after the value`,
    );
  }
  return timestampMs === undefined ? { name, labels, value } : { name, labels, value, timestampMs };
}

/**
 * Parses the Prometheus text exposition format (version 0.0.4, what `/metrics` endpoints
 * serve) and the parts of OpenMetrics text that matter for reading samples: `# EOF`, exemplars
 * after a value, float-second timestamps, and Prometheus 3 quoted UTF-8 names.
 *
 * Pure and total: it never throws, whatever the input. Lines it cannot read are reported in
 * `errors` (with their line number) and skipped; a scraper should treat any error as a failed
 * scrape, as Prometheus does, rather than store a partial exposition.
 */
export function parseExposition(text: string): ExpositionParseResult {
  const samples: ExpositionSample[] = [];
  const types = new Map<string, ExpositionMetricType>();
  const errors: ExpositionParseError[] = [];
  let errorCount = 0;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim().length === 0) continue;
    try {
      if (line.startsWith('#')) {
        const comment = /^#[ \t]+(TYPE|HELP|UNIT|EOF)\b[ \t]*(.*)$/.exec(line);
        if (comment?.[1] === 'EOF') break;
        if (comment?.[1] === 'TYPE') {
          const parts = /^(\S+)[ \t]+(\S+)[ \t]*$/.exec(comment[2] ?? '');
          const type = parts?.[2]?.toLowerCase();
          if (parts === null || type === undefined || !TYPES.has(type)) {
            throw new LineError(`malformed TYPE line (expected "# TYPE <name> <type>")`);
          }
          types.set(parts[1] ?? '', type as ExpositionMetricType);
        }
        continue;
      }
      samples.push(readSample(line.replace(/^[ \t]+/, '')));
    } catch (error) {
      errorCount += 1;
      if (errors.length < MAX_ERRORS) {
        const message = error instanceof LineError ? error.message : `unreadable line (${String(error)})`;
        errors.push({ line: i + 1, message });
      }
    }
  }
  if (errorCount > errors.length) {
    errors.push({ line: 0, message: `${errorCount - errors.length} more unreadable lines` });
  }
  return { samples, types, errors };
}
