import type { Selector } from '@rollgate/core';

/** Valid Prometheus label names (the classic charset; Prometheus 2.x accepts nothing else unquoted). */
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Valid Prometheus metric names. */
export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** A request that cannot become safe PromQL (bad label name, unencodable value). */
export class QueryBuildError extends Error {
  override readonly name = 'QueryBuildError';
  /** The request field at fault, e.g. `query.selector.service`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

function hex2(code: number): string {
  return code.toString(16).padStart(2, '0');
}

/**
 * Escapes `value` for a double-quoted PromQL string literal, so that no value can end the
 * literal or change the query: backslash and quote are escaped, control characters (including
 * newlines, which end a PromQL string) become `\xHH`, and U+FFFD becomes `\uFFFD` because the
 * Prometheus lexer rejects it as an invalid rune. Braces, commas and `#` are literal inside quotes.
 * An unpaired UTF-16 surrogate has no UTF-8 form, so no Prometheus label can hold it: it throws.
 */
export function escapeLabelValue(value: string, field = 'value'): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex2(code)}`;
    else if (code === 0xfffd) out += '\\uFFFD';
    else if (code >= 0xd800 && code <= 0xdfff) {
      throw new QueryBuildError(
        field,
        `${field} contains an unpaired UTF-16 surrogate, which no Prometheus label can hold.`,
      );
    } else out += ch;
  }
  return out;
}

/** One label matcher: `name`, operator and a value escaped into a quoted literal. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** Checks a label name, throwing {@link QueryBuildError} naming `field`. */
export function checkLabelName(name: string, field: string): void {
  if (!LABEL_NAME_PATTERN.test(name)) {
    throw new QueryBuildError(
      field,
      `${field}: ${JSON.stringify(name)} is not a valid Prometheus label name (letters, digits and _ only, not starting with a digit).`,
    );
  }
}

/**
 * Turns a selector into equality matchers, sorted by name so the same selector always gives the
 * same PromQL. Label names are checked (they cannot be escaped); values are escaped later.
 */
export function selectorMatchers(selector: Selector, field = 'query.selector'): LabelMatcher[] {
  return Object.keys(selector)
    .sort()
    .map((name) => {
      checkLabelName(name, `${field}.${name}`);
      if (name === '__name__') {
        throw new QueryBuildError(
          `${field}.${name}`,
          `${field}: __name__ cannot be set in a selector; choose the metric with the metrics option or use measure 'raw'.`,
        );
      }
      return { name, op: '=' as const, value: selector[name] ?? '' };
    });
}

/** `metric{a="1",b=~"x"}` with every value escaped; `metric` alone when there are no matchers. */
export function vectorSelector(metric: string, matchers: readonly LabelMatcher[]): string {
  if (matchers.length === 0) return metric;
  const body = matchers
    .map((m) => `${m.name}${m.op}"${escapeLabelValue(m.value, `label ${m.name}`)}"`)
    .join(', ');
  return `${metric}{${body}}`;
}
