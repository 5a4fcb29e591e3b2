import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultContract, defaultSignals } from '../../src/contract/default-contract';
import { internContract, internedPartCount } from '../../src/contract/intern-contract';
import { parseContract } from '../../src/contract/parse-contract';

/**
 * Parsed contracts share their equal object and array fields (contract/intern-contract.ts): a
 * fleet of watches keeps one copy of what their contracts have in common, and each contract
 * still reads as the one parsed alone.
 */

const input = (service: string) => ({ service, signals: defaultSignals() });

describe('contracts parsed alike share their parts', () => {
  it('gives two services of the same signals the same frozen signal objects, and each its own contract and lists', () => {
    const a = parseContract(input('checkout'));
    const b = parseContract(input('payments'));
    expect(a).not.toBe(b);
    expect(a.service).toBe('checkout');
    expect(b.service).toBe('payments');
    expect(a.signals[0]).toBe(b.signals[0]);
    expect(a.signals[3]).toBe(b.signals[3]);
    expect(a.confirmation).toBe(b.confirmation);
    // Shared parts frozen, nested lists included; the top-level lists each contract's own and
    // unfrozen (a frozen array leaves V8's fast array paths).
    expect(Object.isFrozen(a.signals[0])).toBe(true);
    expect(Object.isFrozen(a.signals[0]?.rules)).toBe(true);
    expect(Object.isFrozen(a.signals[0]?.rules[0])).toBe(true);
    expect(Object.isFrozen(a.confirmation)).toBe(true);
    expect(a.signals).not.toBe(b.signals);
    expect(a.latencyBucketsMs).not.toBe(b.latencyBucketsMs);
    expect(Object.isFrozen(a.signals)).toBe(false);
    expect(Object.isFrozen(a.latencyBucketsMs)).toBe(false);
    // The contract object itself is the caller's: not frozen, and not shared.
    expect(Object.isFrozen(a)).toBe(false);
  });

  it('keeps a write to one contract from reaching another parsed alike', () => {
    const a = parseContract(input('checkout'));
    const b = parseContract(input('payments'));
    const extra = parseContract(input('other')).signals[0];
    if (extra === undefined) throw new Error('the default signals are empty');
    a.signals.push(extra);
    a.latencyBucketsMs.push(60_000);
    expect(a.signals).toHaveLength(5);
    expect(b.signals).toHaveLength(4);
    expect(b.latencyBucketsMs).not.toContain(60_000);
    // A shared part cannot be written into: the write throws instead of changing every watch.
    const rules = a.signals[0]?.rules as unknown[];
    expect(() => rules.push({})).toThrow(TypeError);
    expect(() => {
      (a.confirmation as { k: number }).k = 3;
    }).toThrow(TypeError);
    expect(b.confirmation.k).toBe(a.confirmation.k);
  });

  it('reads as the contract parsed without sharing: the same JSON text, keys in the same order', () => {
    const shared = parseContract(input('checkout'));
    const again = parseContract(input('checkout'));
    expect(JSON.stringify(again)).toBe(JSON.stringify(shared));
    expect(Object.keys(again)).toEqual(Object.keys(shared));
    expect(JSON.stringify(defaultContract('checkout'))).toBe(JSON.stringify(shared));
  });

  it('keeps apart parts that differ, keys in another order included', () => {
    const a = parseContract({ ...input('a'), confirmation: { k: 2, maxConsecutiveErrors: 6 } });
    const b = parseContract({ ...input('b'), confirmation: { k: 1, maxConsecutiveErrors: 6 } });
    expect(a.confirmation).not.toBe(b.confirmation);
    expect(a.confirmation.k).toBe(2);
    expect(b.confirmation.k).toBe(1);
    const sel1 = parseContract({ service: 's', signals: defaultSignals({ app: 'x', env: 'prod' }) });
    const sel2 = parseContract({ service: 's', signals: defaultSignals({ env: 'prod', app: 'x' }) });
    expect(sel1.signals[0]).not.toBe(sel2.signals[0]);
    expect(Object.keys(sel2.signals[0]?.selector ?? {})).toEqual(['env', 'app']);
  });

  it('tells apart values JSON text merges: undefined members, -0, non-finite numbers', () => {
    const base = parseContract(input('x'));
    const variants = [
      { v: undefined },
      {},
      { v: null },
      { v: 0 },
      { v: -0 },
      { v: Number.NaN },
      { v: null, w: 1 },
    ];
    const interned = variants.map(
      (extra) =>
        internContract({ ...base, extra } as typeof base) as unknown as {
          extra: object;
        },
    );
    for (let i = 0; i < interned.length; i++) {
      for (let j = i + 1; j < interned.length; j++) {
        expect(interned[i]?.extra, `${i} vs ${j}`).not.toBe(interned[j]?.extra);
      }
    }
    expect(Object.is((interned[4] as { extra: { v: number } }).extra.v, -0)).toBe(true);
    expect('v' in (interned[0] as { extra: object }).extra).toBe(true);
  });

  it('rejects a write to a shared part instead of changing every contract sharing it', () => {
    const a = parseContract(input('a'));
    const b = parseContract(input('b'));
    const rule = a.signals[0]?.rules[0] as { alpha?: number };
    expect(() => {
      rule.alpha = 0.5;
    }).toThrow(TypeError);
    expect(JSON.stringify(b.signals)).toBe(JSON.stringify(a.signals));
  });

  it('leaves the input unfrozen and unchanged', () => {
    const raw = input('a');
    const text = JSON.stringify(raw);
    parseContract(raw);
    expect(Object.isFrozen(raw.signals)).toBe(false);
    expect(Object.isFrozen(raw.signals[0])).toBe(false);
    expect(JSON.stringify(raw)).toBe(text);
  });

  it('keeps one table entry per distinct part, however many contracts share it', () => {
    const warm = parseContract(input('warm'));
    const before = internedPartCount();
    for (let i = 0; i < 50; i++) parseContract(input(`svc-${i}`));
    expect(internedPartCount()).toBe(before);
    expect(warm.signals[0]).toBe(parseContract(input('again')).signals[0]);
  });

  it('property: any two parsed contracts share a field exactly when its JSON text is the same', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0.001, max: 0.2, noNaN: true }),
        fc.double({ min: 0.001, max: 0.2, noNaN: true }),
        (k1, k2, a1, a2) => {
          const a = parseContract({ ...input('a'), alpha: a1, confirmation: { k: k1 } });
          const b = parseContract({ ...input('b'), alpha: a2, confirmation: { k: k2 } });
          expect(a.confirmation === b.confirmation).toBe(k1 === k2);
          expect(a.alpha).toBe(a1);
          expect(b.alpha).toBe(a2);
          expect(a.signals[1]).toBe(b.signals[1]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
