import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tailFile } from '../../src/local/tail-file';
import { lastLines } from '../../src/release/releases-log';
import { tempRoot } from '../support/deploy-path';

describe('tailFile', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await tempRoot());
  });
  afterEach(async () => cleanup());

  it('resolves null for a missing file', async () => {
    expect(await tailFile(join(root, 'nope'), 300)).toBeNull();
  });

  it('reads the last lines of a file much larger than one chunk, multi-byte text intact', async () => {
    const lines = Array.from(
      { length: 5000 },
      (_, i) => `{"release_name":"${i}","user":"ünïcødé-${'x'.repeat(i % 50)}"}`,
    );
    const path = join(root, 'releases_log');
    await writeFile(path, `${lines.join('\n')}\n`);
    expect(await tailFile(path, 300)).toEqual(lines.slice(-300));
  });

  it('agrees with reading the whole file, for any content and line count', async () => {
    const path = join(root, 'prop');
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/\n/g, '')),
          { maxLength: 400 },
        ),
        fc.boolean(),
        fc.integer({ min: 1, max: 350 }),
        async (lines, finalNewline, count) => {
          const text = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '');
          await writeFile(path, text);
          expect(await tailFile(path, count)).toEqual(lastLines(text, count));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('lastLines behaves like tail -n on final newlines and CRLF', () => {
    expect(lastLines('a\nb\nc\n', 2)).toEqual(['b', 'c']);
    expect(lastLines('a\nb\nc', 2)).toEqual(['b', 'c']);
    expect(lastLines('a\r\nb\r\n', 5)).toEqual(['a', 'b']);
    expect(lastLines('', 3)).toEqual([]);
    expect(lastLines('\n\n', 5)).toEqual(['', '']);
  });
});
