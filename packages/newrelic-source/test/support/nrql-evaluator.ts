/**
 * A small NRQL interpreter for the NerdGraph double. It understands the subset the source
 * generates, and answers with the result shapes docs/adapters/newrelic.md documents:
 *
 *   SELECT <aggregate> [AS '<label>'] FROM <EventType>
 *     [WHERE <condition>] [FACET <attribute> [LIMIT <n>|MAX]]
 *     SINCE <epoch ms> UNTIL <epoch ms> [TIMESERIES <n> second(s)|minute(s)]
 *
 * Aggregates: count(*), filter(<aggregate>, WHERE <condition>), percentage(count(*), WHERE
 * <condition>), percentile(<expr>, <n>), average|max|min|latest|sum(<expr>). Expressions:
 * numbers, attributes (bare or `backticked`), + - * / and parentheses. Conditions: AND, OR,
 * NOT, parentheses, = != < <= > >= against '<string>' (backslash escapes) or numbers, and
 * IS [NOT] TRUE|FALSE|NULL. SINCE is inclusive and UNTIL exclusive; TIMESERIES buckets are
 * anchored on UNTIL (NRQL's range snapping). Anything else is an NRQL syntax error.
 */

/** One stored event: its type, epoch-ms timestamp and attributes. */
export interface NrEvent {
  readonly eventType: string;
  readonly timestamp: number;
  readonly [attribute: string]: unknown;
}

/** How an aliased percentile comes back: `{"label": {"99": v}}` or flat `{"label": v}`. */
export type AliasedPercentileShape = 'threshold' | 'flat';

export class NrqlSyntaxError extends Error {
  constructor(
    readonly position: number,
    detail: string,
  ) {
    super(`NRQL Syntax Error: Error at line 1 position ${position}, ${detail}`);
  }
}

type Token =
  | { kind: 'string'; value: string; at: number }
  | { kind: 'ident'; value: string; quoted: boolean; at: number }
  | { kind: 'number'; value: number; at: number }
  | { kind: 'punct'; value: string; at: number }
  | { kind: 'end'; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const at = i;
    if (c === "'") {
      let value = '';
      i += 1;
      let closed = false;
      while (i < text.length) {
        const d = text[i] as string;
        if (d === '\\') {
          if (i + 1 >= text.length) break;
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (d === "'") {
          closed = true;
          i += 1;
          break;
        }
        value += d;
        i += 1;
      }
      if (!closed) throw new NrqlSyntaxError(at, 'unterminated string');
      tokens.push({ kind: 'string', value, at });
      continue;
    }
    if (c === '`') {
      const close = text.indexOf('`', i + 1);
      if (close < 0) throw new NrqlSyntaxError(at, 'unterminated identifier');
      tokens.push({ kind: 'ident', value: text.slice(i + 1, close), quoted: true, at });
      i = close + 1;
      continue;
    }
    const number = /^\d+(\.\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), at });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.:]*/.exec(text.slice(i));
    if (word) {
      tokens.push({ kind: 'ident', value: word[0], quoted: false, at });
      i += word[0].length;
      continue;
    }
    const punct = /^(!=|<=|>=|[(),*/+\-=<>])/.exec(text.slice(i));
    if (punct) {
      tokens.push({ kind: 'punct', value: punct[0], at });
      i += punct[0].length;
      continue;
    }
    throw new NrqlSyntaxError(at, `unexpected '${c}'`);
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'attr'; name: string }
  | { kind: 'bin'; op: string; left: Expr; right: Expr };

type Operand = Expr | { kind: 'str'; value: string };

type Cond =
  | { kind: 'and' | 'or'; left: Cond; right: Cond }
  | { kind: 'not'; cond: Cond }
  | { kind: 'cmp'; op: string; left: Operand; right: Operand }
  | { kind: 'is'; expr: Expr; test: 'TRUE' | 'FALSE' | 'NULL'; negate: boolean };

type Aggregate =
  | { fn: 'count' }
  | { fn: 'filter'; inner: Aggregate; where: Cond }
  | { fn: 'percentage'; inner: Aggregate; where: Cond }
  | { fn: 'percentile'; expr: Expr; threshold: number }
  | { fn: 'average' | 'max' | 'min' | 'latest' | 'sum'; expr: Expr };

/** A parsed query of the supported subset. */
export interface ParsedNrql {
  readonly select: Aggregate;
  readonly alias: string | undefined;
  readonly from: string;
  readonly where: Cond | undefined;
  readonly facet: string | undefined;
  readonly limit: number;
  readonly since: number;
  readonly until: number;
  readonly stepMs: number | undefined;
}

const KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'FACET',
  'LIMIT',
  'MAX',
  'SINCE',
  'UNTIL',
  'TIMESERIES',
  'AS',
  'AND',
  'OR',
  'NOT',
  'IS',
  'TRUE',
  'FALSE',
  'NULL',
]);

class Parser {
  #i = 0;
  constructor(readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[this.#i] as Token;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.#i += 1;
    return t;
  }
  fail(token: Token, expected: string): never {
    const seen = token.kind === 'end' ? 'end of query' : `'${'value' in token ? String(token.value) : ''}'`;
    throw new NrqlSyntaxError(token.at, `unexpected ${seen}, expecting ${expected}`);
  }
  isKeyword(word: string, token = this.peek()): boolean {
    return token.kind === 'ident' && !token.quoted && token.value.toUpperCase() === word;
  }
  keyword(word: string): void {
    const t = this.next();
    if (!this.isKeyword(word, t)) this.fail(t, word);
  }
  punct(value: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.value !== value) this.fail(t, `'${value}'`);
  }
  isPunct(value: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.value === value;
  }
  identifier(): string {
    const t = this.next();
    if (t.kind !== 'ident' || (!t.quoted && KEYWORDS.has(t.value.toUpperCase())))
      this.fail(t, 'an identifier');
    return t.value;
  }
  integer(): number {
    const t = this.next();
    if (t.kind !== 'number' || !Number.isInteger(t.value)) this.fail(t, 'an integer');
    return t.value;
  }

  query(): ParsedNrql {
    this.keyword('SELECT');
    const select = this.aggregate();
    let alias: string | undefined;
    if (this.isKeyword('AS')) {
      this.next();
      const t = this.next();
      if (t.kind !== 'string') this.fail(t, 'a quoted label');
      alias = t.value;
    }
    this.keyword('FROM');
    const from = this.identifier();
    let where: Cond | undefined;
    let facet: string | undefined;
    let limit = 10;
    let since: number | undefined;
    let until: number | undefined;
    let stepMs: number | undefined;
    while (this.peek().kind !== 'end') {
      const t = this.peek();
      if (this.isKeyword('WHERE') && where === undefined) {
        this.next();
        where = this.condition();
      } else if (this.isKeyword('FACET') && facet === undefined) {
        this.next();
        facet = this.identifier();
      } else if (this.isKeyword('LIMIT')) {
        this.next();
        if (this.isKeyword('MAX')) {
          this.next();
          limit = 5000;
        } else {
          limit = this.integer();
        }
      } else if (this.isKeyword('SINCE') && since === undefined) {
        this.next();
        since = this.integer();
      } else if (this.isKeyword('UNTIL') && until === undefined) {
        this.next();
        until = this.integer();
      } else if (this.isKeyword('TIMESERIES') && stepMs === undefined) {
        this.next();
        const n = this.integer();
        const unit = this.next();
        if (unit.kind !== 'ident' || unit.quoted) this.fail(unit, 'a time unit');
        const u = unit.value.toLowerCase();
        if (u === 'second' || u === 'seconds') stepMs = n * 1000;
        else if (u === 'minute' || u === 'minutes') stepMs = n * 60_000;
        else this.fail(unit, 'seconds or minutes');
        if (stepMs <= 0) this.fail(unit, 'a positive bucket size');
      } else {
        this.fail(t, 'a clause');
      }
    }
    if (since === undefined || until === undefined) {
      throw new NrqlSyntaxError(0, 'the double needs SINCE and UNTIL as epoch milliseconds');
    }
    return { select, alias, from, where, facet, limit, since, until, stepMs };
  }

  aggregate(): Aggregate {
    const t = this.next();
    if (t.kind !== 'ident' || t.quoted) this.fail(t, 'an aggregate function');
    const fn = t.value.toLowerCase();
    this.punct('(');
    let result: Aggregate;
    if (fn === 'count') {
      this.punct('*');
      result = { fn: 'count' };
    } else if (fn === 'filter' || fn === 'percentage') {
      const inner = this.aggregate();
      this.punct(',');
      this.keyword('WHERE');
      result = { fn, inner, where: this.condition() };
    } else if (fn === 'percentile') {
      const expr = this.expression();
      this.punct(',');
      const n = this.next();
      if (n.kind !== 'number') this.fail(n, 'a percentile');
      result = { fn: 'percentile', expr, threshold: n.value };
    } else if (fn === 'average' || fn === 'max' || fn === 'min' || fn === 'latest' || fn === 'sum') {
      result = { fn, expr: this.expression() };
    } else {
      this.fail(t, 'a supported aggregate function');
    }
    this.punct(')');
    return result;
  }

  expression(): Expr {
    let left = this.term();
    while (this.isPunct('+') || this.isPunct('-')) {
      const op = (this.next() as { value: string }).value;
      left = { kind: 'bin', op, left, right: this.term() };
    }
    return left;
  }
  term(): Expr {
    let left = this.factor();
    while (this.isPunct('*') || this.isPunct('/')) {
      const op = (this.next() as { value: string }).value;
      left = { kind: 'bin', op, left, right: this.factor() };
    }
    return left;
  }
  factor(): Expr {
    const t = this.peek();
    if (t.kind === 'number') {
      this.next();
      return { kind: 'num', value: t.value };
    }
    if (this.isPunct('(')) {
      this.next();
      const e = this.expression();
      this.punct(')');
      return e;
    }
    return { kind: 'attr', name: this.identifier() };
  }

  condition(): Cond {
    let left = this.conjunction();
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.conjunction() };
    }
    return left;
  }
  conjunction(): Cond {
    let left = this.negation();
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.negation() };
    }
    return left;
  }
  negation(): Cond {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', cond: this.negation() };
    }
    if (this.isPunct('(')) {
      // A parenthesis may open a condition or an arithmetic expression; try the condition.
      const mark = this.#i;
      this.next();
      try {
        const inner = this.condition();
        this.punct(')');
        if (!this.isComparison()) return inner;
      } catch (error) {
        if (!(error instanceof NrqlSyntaxError)) throw error;
      }
      this.#i = mark;
    }
    return this.comparison();
  }
  isComparison(): boolean {
    const t = this.peek();
    return t.kind === 'punct' && ['=', '!=', '<', '<=', '>', '>='].includes(t.value);
  }
  comparison(): Cond {
    const left = this.expression();
    if (this.isKeyword('IS')) {
      this.next();
      let negate = false;
      if (this.isKeyword('NOT')) {
        this.next();
        negate = true;
      }
      const t = this.next();
      const word = t.kind === 'ident' && !t.quoted ? t.value.toUpperCase() : '';
      if (word !== 'TRUE' && word !== 'FALSE' && word !== 'NULL') this.fail(t, 'TRUE, FALSE or NULL');
      return { kind: 'is', expr: left, test: word, negate };
    }
    const op = this.next();
    if (op.kind !== 'punct' || !['=', '!=', '<', '<=', '>', '>='].includes(op.value)) {
      this.fail(op, 'a comparison');
    }
    const t = this.peek();
    let right: Operand;
    if (t.kind === 'string') {
      this.next();
      right = { kind: 'str', value: t.value };
    } else {
      right = this.expression();
    }
    return { kind: 'cmp', op: op.value, left, right };
  }
}

/** Parses the supported subset; throws {@link NrqlSyntaxError} for anything else. */
export function parseNrql(text: string): ParsedNrql {
  return new Parser(tokenize(text)).query();
}

function evalExpr(expr: Expr, event: NrEvent): unknown {
  switch (expr.kind) {
    case 'num':
      return expr.value;
    case 'attr':
      return event[expr.name];
    case 'bin': {
      const l = evalExpr(expr.left, event);
      const r = evalExpr(expr.right, event);
      if (typeof l !== 'number' || typeof r !== 'number') return undefined;
      if (expr.op === '+') return l + r;
      if (expr.op === '-') return l - r;
      if (expr.op === '*') return l * r;
      return l / r;
    }
  }
}

function evalOperand(operand: Operand, event: NrEvent): unknown {
  return operand.kind === 'str' ? operand.value : evalExpr(operand, event);
}

function matches(cond: Cond, event: NrEvent): boolean {
  switch (cond.kind) {
    case 'and':
      return matches(cond.left, event) && matches(cond.right, event);
    case 'or':
      return matches(cond.left, event) || matches(cond.right, event);
    case 'not':
      return !matches(cond.cond, event);
    case 'is': {
      const v = evalExpr(cond.expr, event);
      const hit = cond.test === 'NULL' ? v === undefined || v === null : v === (cond.test === 'TRUE');
      return cond.negate ? !hit : hit;
    }
    case 'cmp': {
      const l = evalOperand(cond.left, event);
      const r = evalOperand(cond.right, event);
      if (cond.op === '=') return l === r;
      if (cond.op === '!=') return l !== undefined && l !== null && l !== r;
      if (typeof l !== typeof r || (typeof l !== 'number' && typeof l !== 'string')) return false;
      const a = l as number | string;
      const b = r as number | string;
      if (cond.op === '<') return a < b;
      if (cond.op === '<=') return a <= b;
      if (cond.op === '>') return a > b;
      return a >= b;
    }
  }
}

function numbers(expr: Expr, events: readonly NrEvent[]): number[] {
  return events
    .map((e) => evalExpr(expr, e))
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Nearest-rank percentile, or null without values. */
export function nearestRank(values: readonly number[], threshold: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((threshold / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

function aggregate(agg: Aggregate, events: readonly NrEvent[]): number | null {
  switch (agg.fn) {
    case 'count':
      return events.length;
    case 'filter':
      return aggregate(
        agg.inner,
        events.filter((e) => matches(agg.where, e)),
      );
    case 'percentage': {
      const all = aggregate(agg.inner, events);
      if (all === null || all === 0) return null;
      const part = aggregate(
        agg.inner,
        events.filter((e) => matches(agg.where, e)),
      );
      return part === null ? null : (100 * part) / all;
    }
    case 'percentile':
      return nearestRank(numbers(agg.expr, events), agg.threshold);
    case 'average': {
      const vs = numbers(agg.expr, events);
      return vs.length === 0 ? null : vs.reduce((a, b) => a + b, 0) / vs.length;
    }
    case 'max': {
      const vs = numbers(agg.expr, events);
      return vs.length === 0 ? null : Math.max(...vs);
    }
    case 'min': {
      const vs = numbers(agg.expr, events);
      return vs.length === 0 ? null : Math.min(...vs);
    }
    case 'sum':
      return numbers(agg.expr, events).reduce((a, b) => a + b, 0);
    case 'latest': {
      const withValue = events
        .map((e) => ({ t: e.timestamp, v: evalExpr(agg.expr, e) }))
        .filter((x): x is { t: number; v: number } => typeof x.v === 'number');
      if (withValue.length === 0) return null;
      return withValue.reduce((a, b) => (b.t >= a.t ? b : a)).v;
    }
  }
}

function defaultKey(agg: Aggregate): string {
  if (agg.fn === 'count' || agg.fn === 'percentage' || agg.fn === 'filter')
    return agg.fn === 'filter' ? 'filter' : agg.fn;
  const attr = agg.expr.kind === 'attr' ? `.${agg.expr.name}` : '';
  return `${agg.fn}${attr}`;
}

function shaped(query: ParsedNrql, value: number | null, percentileShape: AliasedPercentileShape): unknown {
  if (query.select.fn !== 'percentile') return value;
  if (query.alias !== undefined && percentileShape === 'flat') return value;
  return { [String(query.select.threshold)]: value };
}

/** Evaluates a parsed query over `events` into NerdGraph `results` rows. */
export function evaluateNrql(
  query: ParsedNrql,
  events: readonly NrEvent[],
  percentileShape: AliasedPercentileShape = 'threshold',
): Record<string, unknown>[] {
  const key = query.alias ?? defaultKey(query.select);
  const inRange = events.filter(
    (e) =>
      e.eventType === query.from &&
      e.timestamp >= query.since &&
      e.timestamp < query.until &&
      (query.where === undefined || matches(query.where, e)),
  );
  const buckets: { begin: number; end: number }[] = [];
  if (query.stepMs !== undefined) {
    for (let end = query.until; end - query.stepMs >= query.since; end -= query.stepMs) {
      buckets.unshift({ begin: end - query.stepMs, end });
    }
  }
  const rowsFor = (subset: readonly NrEvent[], extra: Record<string, unknown>): Record<string, unknown>[] => {
    if (query.stepMs === undefined) {
      return [{ ...extra, [key]: shaped(query, aggregate(query.select, subset), percentileShape) }];
    }
    return buckets.map((b) => ({
      beginTimeSeconds: b.begin / 1000,
      endTimeSeconds: b.end / 1000,
      ...extra,
      [key]: shaped(
        query,
        aggregate(
          query.select,
          subset.filter((e) => e.timestamp >= b.begin && e.timestamp < b.end),
        ),
        percentileShape,
      ),
    }));
  };
  if (query.facet === undefined) return rowsFor(inRange, {});
  const facet = query.facet;
  const groups = new Map<string, NrEvent[]>();
  for (const e of inRange) {
    const v = e[facet];
    if (v === undefined || v === null) continue;
    const label = String(v);
    const group = groups.get(label) ?? [];
    group.push(e);
    groups.set(label, group);
  }
  const ranked = [...groups.entries()]
    .map(([label, group]) => ({
      label,
      group,
      rank: aggregate(query.select, group) ?? Number.NEGATIVE_INFINITY,
    }))
    .sort((a, b) => b.rank - a.rank)
    .slice(0, query.limit);
  return ranked.flatMap(({ label, group }) => rowsFor(group, { facet: label, [facet]: label }));
}
