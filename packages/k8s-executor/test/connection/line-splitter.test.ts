import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitLines } from '../../src/connection/line-splitter';

describe('splitLines', () => {
  it('yields whole lines across chunk boundaries, multi-byte characters included (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme' }).map((s) => s.replace(/\n/g, '')),
          { maxLength: 8 },
        ),
        fc.array(fc.nat(40), { maxLength: 6 }),
        (lines, cuts) => {
          const bytes = new TextEncoder().encode(lines.map((l) => `${l}\n`).join(''));
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const splitter = splitLines();
          const out: string[] = [];
          let last = 0;
          for (const p of [...points, bytes.length]) {
            out.push(...splitter.push(bytes.subarray(last, p)));
            last = p;
          }
          return JSON.stringify(out) === JSON.stringify(lines) && splitter.end() === '';
        },
      ),
    );
  });

  it('keeps an unterminated tail for end()', () => {
    const s = splitLines();
    expect(s.push(new TextEncoder().encode('{"a":1}\n{"b"'))).toEqual(['{"a":1}']);
    expect(s.end()).toBe('{"b"');
  });
});
