import { describe, expect, it } from 'vitest';
import { keepSoakSection, SOAK_BEGIN, SOAK_END, withSoakSection } from '../../src/soak/soak-section-file';

describe('the soak section of docs/benchmarks.md', () => {
  it('is appended once, then replaced in place', () => {
    const first = withSoakSection('# Benchmarks\n\n## Engine\n\nrows\n', '## Live soak\n\nrun 1');
    expect(first).toBe(
      `# Benchmarks\n\n## Engine\n\nrows\n\n${SOAK_BEGIN}\n\n## Live soak\n\nrun 1\n\n${SOAK_END}\n`,
    );
    const second = withSoakSection(first, '## Live soak\n\nrun 2 costs $& and $1');
    expect(second).toContain('run 2 costs $& and $1');
    expect(second).not.toContain('run 1');
    expect(second.split(SOAK_BEGIN)).toHaveLength(2);
  });

  it('survives a pnpm bench run, which rewrites the rest of the file', () => {
    const previous = withSoakSection('# Benchmarks\n\nold tables\n', '## Live soak\n\nfigures');
    const kept = keepSoakSection(previous, '# Benchmarks\n\nnew tables\n');
    expect(kept).toContain('new tables');
    expect(kept).not.toContain('old tables');
    expect(kept).toContain(`${SOAK_BEGIN}\n\n## Live soak\n\nfigures\n\n${SOAK_END}`);
    expect(keepSoakSection(null, 'x\n')).toBe('x\n');
    expect(keepSoakSection('# no soak here\n', 'x\n')).toBe('x\n');
  });
});
