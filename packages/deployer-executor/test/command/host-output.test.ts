import { describe, expect, it } from 'vitest';
import { parseHostSnapshot } from '../../src/command/fleet-snapshot';
import { parseHostOutput, relevantLines } from '../../src/command/host-output';
import { createRedactor } from '../../src/command/redactor';

describe('dep output parsing', () => {
  it('groups interleaved [host] lines, strips colour and keeps unprefixed lines apart', () => {
    const out = parseHostOutput('task run\n[web1] a\n[web2] \u001b[32mx\u001b[0m\n[web1] b\r\n\n[web2] \n');
    expect(Object.fromEntries(out.byHost)).toEqual({ web1: ['a', 'b'], web2: ['x', ''] });
    expect(out.other).toEqual(['task run']);
  });

  it('picks error-looking lines, redacts secrets and caps length', () => {
    const redact = createRedactor({ API_TOKEN: 's3cr3t-token', STAGE: 'fail' });
    const lines = relevantLines(
      '[w] fine\n[w] ERROR boom s3cr3t-token\n',
      `[w] ${'x'.repeat(400)} failed\n`,
      redact,
    );
    expect(lines[0]?.length).toBeLessThanOrEqual(301);
    expect(lines[1]).toBe('[w] ERROR boom [redacted]');
    expect(relevantLines('[w] one\n[w] two\n', '', redact)).toEqual(['[w] one', '[w] two']);
  });

  it('refuses a host snapshot that was cut short or has no current link', () => {
    const warn = () => {};
    expect(parseHostSnapshot('w', ['rollgate-current\treleases/1'], warn).ok).toBe(false);
    const noCurrent = parseHostSnapshot('w', ['rollgate-current\t', 'rollgate-end'], warn);
    expect(!noCurrent.ok && noCurrent.error.message).toContain('not a symlink');
    const ok = parseHostSnapshot(
      'w',
      [
        'rollgate-current\treleases/2',
        'rollgate-release\tabc\t\t1',
        'rollgate-release\tdef\tbad:2024-01-01T00:00:00+0000,ci\t2',
        'rollgate-log\t{"release_name":"1"}',
        'rollgate-log\t{"release_name":"2"}',
        'rollgate-end',
      ],
      warn,
    );
    expect(ok.ok && ok.value.releases.map((r) => [r.name, r.revision, r.badMark])).toEqual([
      ['2', 'def', '2024-01-01T00:00:00+0000,ci'],
      ['1', 'abc', undefined],
    ]);
  });
});
