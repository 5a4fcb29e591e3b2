import { describe, expect, it } from 'vitest';
import { parseBenchDoc } from '../../src/bench-doc';
import { withSoakSection } from '../../src/soak/soak-section-file';

describe('the soak block of docs/benchmarks.md', () => {
  it('is appended once, then replaced in place, leaving the sections alone', () => {
    const sections =
      '# Benchmarks\n\n<!-- section:begin engine (written by `pnpm bench`) -->\n\n## Engine\n\nrows\n\n<!-- section:end engine -->\n';
    const first = withSoakSection(sections, '## Live soak\n\nrun 1');
    expect(parseBenchDoc(first).blocks.map((b) => [b.kind, b.name, b.text])).toEqual([
      ['section', 'engine', '## Engine\n\nrows'],
      ['kept', 'soak', '## Live soak\n\nrun 1'],
    ]);
    const second = withSoakSection(first, '## Live soak\n\nrun 2 costs $& and $1');
    expect(second).toContain('run 2 costs $& and $1');
    expect(second).not.toContain('run 1');
    expect(second.split('kept:begin soak')).toHaveLength(2);
    expect(second).toContain('## Engine\n\nrows');
  });
});
