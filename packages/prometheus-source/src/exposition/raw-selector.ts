import { LABEL_NAME_PATTERN, type LabelMatcher, QueryBuildError } from '../promql/label-matchers';

/** A parsed series selector: a metric name and label matchers. */
export interface RawSelector {
  readonly metric: string;
  readonly matchers: readonly LabelMatcher[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const OPERATOR = /^(=~|!~|!=|=)/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n', t: '\t', r: '\r' };

function bad(message: string): QueryBuildError {
  return new QueryBuildError(
    'query.query',
    `${message}. Without a Prometheus server a raw query is a series selector such as ` +
      'my_events_total{job="shop", code=~"5.."}; PromQL functions and operators need createPrometheusSource.',
  );
}

/**
 * Parses the only raw query the exposition source evaluates: one PromQL series selector,
 * `metric` or `metric{label="v", other!="w", code=~"5..", path!~"/health.*"}` (also with
 * `__name__` inside the braces instead of a leading name). Double-quoted values with the escapes
 * `\\ \" \n \t \r`. Throws {@link QueryBuildError} for anything else.
 */
export function parseRawSelector(text: string): RawSelector {
  let rest = text.trim();
  let metric = METRIC.exec(rest)?.[0];
  if (metric !== undefined) rest = rest.slice(metric.length).trimStart();
  const matchers: LabelMatcher[] = [];
  if (rest.startsWith('{')) {
    rest = rest.slice(1).trimStart();
    while (!rest.startsWith('}')) {
      const name = LABEL.exec(rest)?.[0];
      if (name === undefined) throw bad(`expected a label name at ${JSON.stringify(rest.slice(0, 20))}`);
      rest = rest.slice(name.length).trimStart();
      const op = OPERATOR.exec(rest)?.[0] as LabelMatcher['op'] | undefined;
      if (op === undefined) throw bad(`expected =, !=, =~ or !~ after ${name}`);
      rest = rest.slice(op.length).trimStart();
      if (!rest.startsWith('"')) throw bad(`expected a double-quoted value for ${name}`);
      let value = '';
      let i = 1;
      for (;;) {
        const ch = rest[i];
        if (ch === undefined) throw bad(`unterminated value for ${name}`);
        i += 1;
        if (ch === '"') break;
        if (ch === '\\') {
          const next = rest[i];
          const replacement = next === undefined ? undefined : ESCAPES[next];
          if (replacement === undefined) throw bad(`unsupported escape in the value of ${name}`);
          value += replacement;
          i += 1;
        } else {
          value += ch;
        }
      }
      rest = rest.slice(i).trimStart();
      if (name === '__name__') {
        if (op !== '=') throw bad('__name__ supports only =');
        if (metric !== undefined && metric !== value) throw bad('the metric name is given twice');
        metric = value;
      } else {
        matchers.push({ name, op, value });
      }
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith('}')) throw bad(`expected , or } at ${JSON.stringify(rest.slice(0, 20))}`);
    }
    rest = rest.slice(1).trimStart();
  }
  if (rest.length > 0) throw bad(`unexpected ${JSON.stringify(rest.slice(0, 20))}`);
  if (metric === undefined || metric.length === 0) throw bad('the selector names no metric');
  for (const m of matchers) {
    if (!LABEL_NAME_PATTERN.test(m.name)) throw bad(`${m.name} is not a label name`);
  }
  return { metric, matchers };
}
