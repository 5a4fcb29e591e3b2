import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { RULES_BY_KIND, type Rule, type Signal, SignalSchema } from '../../src/contract/contract-schema';
import { parseContract } from '../../src/contract/parse-contract';
import { isAuthoritative } from '../../src/evaluation/confirmation';
import {
  countsExceedances,
  eventsQuery,
  unitOf,
  usesCounts,
  valueDomain,
  valueQuery,
} from '../../src/evaluation/signal-queries';
import { ERROR_RATE_DOMAIN } from '../../src/rules/measure-domain';
import {
  kindOf,
  SIGNAL_KIND_TABLE,
  SIGNAL_KINDS,
  type SignalKind,
  type SignalKindSpec,
} from '../../src/signals/signal-kinds';

// Adding a signal kind is one edit: its name in SIGNAL_KINDS and its entry in SIGNAL_KIND_TABLE.
// These tests hold that promise: the contract's enum is the table's list, every kind's entry is
// complete and read by the branches, and no other core file tests a signal's kind itself.

const RULE_INPUTS: Record<Rule['type'], Record<string, unknown>> = {
  static: { type: 'static', max: 1 },
  'baseline-ratio': { type: 'baseline-ratio', maxRatio: 2 },
  sequential: { type: 'sequential' },
  'rate-of-change': { type: 'rate-of-change', limit: 1 },
  health: { type: 'health' },
};

function contractWith(kind: SignalKind, rule: Rule['type']) {
  return { service: 'svc', signals: [{ id: 's', kind, rules: [RULE_INPUTS[rule]] }] };
}

function signalOf(kind: SignalKind): Signal {
  const rule = SIGNAL_KIND_TABLE[kind].rules[0] as Rule['type'];
  return parseContract(contractWith(kind, rule)).signals[0] as Signal;
}

describe('the signal kinds table', () => {
  it('is the list of kinds the contract accepts, with an entry for each', () => {
    expect(SignalSchema.shape.kind.options).toEqual([...SIGNAL_KINDS]);
    expect(Object.keys(SIGNAL_KIND_TABLE).sort()).toEqual([...SIGNAL_KINDS].sort());
    expectTypeOf<Signal['kind']>().toEqualTypeOf<SignalKind>();
    expectTypeOf<keyof typeof SIGNAL_KIND_TABLE>().toEqualTypeOf<SignalKind>();
    // A kind in the list without an entry does not compile (pnpm typecheck checks this line).
    // @ts-expect-error the entries of error-rate, resource and health are missing
    const incomplete: Record<SignalKind, SignalKindSpec> = { latency: SIGNAL_KIND_TABLE.latency };
    expect(Object.keys(incomplete)).toEqual(['latency']);
  });

  for (const kind of SIGNAL_KINDS) {
    const spec = SIGNAL_KIND_TABLE[kind];

    it(`${kind}: the contract accepts exactly the rules its entry lists`, () => {
      expect(RULES_BY_KIND[kind]).toEqual(spec.rules);
      for (const rule of Object.keys(RULE_INPUTS) as Rule['type'][]) {
        const parse = () => parseContract(contractWith(kind, rule));
        if (spec.rules.includes(rule)) expect(parse().signals[0]?.rules[0]?.type).toBe(rule);
        else
          expect(parse).toThrow(
            `rule "${rule}" does not apply to a ${kind} signal; allowed: ${spec.rules.join(', ')}`,
          );
      }
    });

    it(`${kind}: the queries, units, onset and confirmation come from its entry`, () => {
      const signal = signalOf(kind);
      expect(kindOf(signal)).toBe(spec);
      expect(usesCounts(signal)).toBe(spec.counts !== null);
      expect(countsExceedances(signal)).toBe(spec.counts?.events === 'latency-exceedances');
      expect(eventsQuery(signal, 250)?.measure ?? null).toBe(spec.counts?.events ?? null);
      expect(valueQuery(signal)).toEqual(spec.valueQuery(signal, signal.quantile));
      if (spec.value === 'count-ratio') expect(valueDomain(signal)).toEqual(ERROR_RATE_DOMAIN);
      else expect(valueQuery(signal)).not.toBeNull();
      expect(unitOf(signal)).toBe(spec.unit(signal));
      expect(isAuthoritative(signal)).toBe(spec.authoritative);
      expect(isAuthoritative({ ...signal, authoritative: !spec.authoritative })).toBe(!spec.authoritative);
      for (const rule of spec.rules) {
        expect(['change-point', 'run-length', 'pre-deploy-window']).toContain(
          spec.onset({ type: rule } as Rule),
        );
      }
      // Every count kind names its events for reasons; gauges have no counts to describe.
      if (spec.counts) {
        expect(spec.counts.eventWhat(250)).not.toBe('');
        expect(spec.counts.rateWhat(250)).not.toBe('');
      }
    });
  }

  it('is the only place in core and the CLI that branches on a signal kind', () => {
    const SRC = join(import.meta.dirname, '..', '..', 'src');
    // The CLI formats values and rows by kind: it reads the table too (value-format.ts, signal-rows.ts).
    const CLI_SRC = join(import.meta.dirname, '..', '..', '..', 'cli', 'src');
    const TABLE = join(SRC, 'signals', 'signal-kinds.ts');
    const names = SIGNAL_KINDS.join('|');
    const branches = [
      new RegExp(`\\bkind\\s*[!=]==?\\s*'(${names})'`, 'g'),
      new RegExp(`'(${names})'\\s*[!=]==?\\s*[\\w.?]*\\bkind\\b`, 'g'),
      new RegExp(`switch\\s*\\([\\w.?]*\\bkind\\)\\s*\\{\\s*case\\s+'(${names})'`, 'g'),
    ];
    // The patterns catch the branches the table replaced, in core and in the CLI.
    for (const old of [
      "signal.kind === 'latency' ? 'hold' : 2",
      "if ('health' === s.kind) return",
      "switch (signal.kind) {\n    case 'error-rate':",
      "switch (kind) {\n    case 'error-rate':",
      "if (sequential && v.kind === 'latency') {",
    ]) {
      expect(branches.some((re) => old.match(re) !== null)).toBe(true);
    }
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return files(path);
        return path.endsWith('.ts') && path !== TABLE ? [path] : [];
      });
    const scanned = [...files(SRC), ...files(CLI_SRC)];
    expect(scanned.some((file) => file.endsWith(join('format', 'value-format.ts')))).toBe(true);
    const found: string[] = [];
    for (const file of scanned) {
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const lines = text.split('\n');
      for (const match of branches.flatMap((re) => [...text.matchAll(re)])) {
        const line = lines[text.slice(0, match.index).split('\n').length - 1]?.trim() ?? '';
        found.push(`${relative(SRC, file)}: ${line}`);
      }
    }
    expect(found).toEqual([]);
  });
});
