import { AuditRecordSchema } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/render-report';
import { HOSTILE, hostileRecord, rolledBackRecord } from '../support/audit-fixture';

describe('renderReport', () => {
  it('the fixtures are valid audit records', () => {
    expect(AuditRecordSchema.safeParse(rolledBackRecord()).success).toBe(true);
    expect(AuditRecordSchema.safeParse(hostileRecord()).success).toBe(true);
  });

  it('is one self-contained page: no script, no external reference, a CSP that forbids loading anything', () => {
    const html = renderReport(rolledBackRecord());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('has one chart per signal, the timeline marks, the phases, the evidence and the artifacts', () => {
    const record = rolledBackRecord();
    const html = renderReport(record);
    for (const s of record.contract.signals)
      expect(html).toContain(`<svg class="signal-chart" data-signal="${s.id}"`);
    expect(html.match(/<svg class="signal-chart"/g)).toHaveLength(4);
    for (const mark of ['deploy', 'breach-onset', 'confirmation', 'cutover', 'recovery', 'outcome']) {
      expect(html).toContain(`<g class="mark mark-${mark}" data-mark="${mark}">`);
    }
    for (const phase of record.phases) expect(html).toContain(phase.at);
    expect(html).toContain('log-e-value 6.1 (rejects at 5.3), alpha 0.005');
    expect(html).toContain('7.44× the baseline');
    expect(html).toContain('[3.1, 17.9] at 99%');
    expect(html).toContain('1,187');
    expect(html).toContain(record.failedArtifact?.id);
    expect(html).toContain(record.restoredArtifact?.id);
    expect(html).toContain('Recovery verified');
    expect(html).toContain('3.72%');
  });

  it('escapes every string from the record: hostile text renders as text and never as markup', () => {
    const html = renderReport(hostileRecord(), { source: `/tmp/${HOSTILE}.jsonl` });
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<svg onload/i);
    // No element of the page carries an event handler attribute.
    // (Attribute values are emptied first: escaped text inside a quoted value is inert.)
    expect(html.replace(/"[^"]*"/g, '""')).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&#39;&quot;&amp;amp;');
    // The only tags are the report's own.
    const tags = new Set(
      [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => (m[1] as string).toLowerCase()),
    );
    const allowed = [
      'html',
      'head',
      'meta',
      'title',
      'style',
      'body',
      'main',
      'header',
      'h1',
      'h2',
      'h3',
      'span',
      'p',
      'section',
      'dl',
      'dt',
      'dd',
      'code',
      'div',
      'i',
      'svg',
      'rect',
      'line',
      'text',
      'g',
      'circle',
      'path',
      'polyline',
      'ol',
      'li',
      'strong',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'br',
      'footer',
    ];
    expect([...tags].filter((t) => !allowed.includes(t))).toEqual([]);
  });

  it('renders a promotion without breach, cutover or recovery, and a signal with no points', () => {
    const r = rolledBackRecord();
    const promoted = {
      ...r,
      outcome: 'promoted' as const,
      breach: null,
      cutover: null,
      recovery: null,
      failedArtifact: null,
      restoredArtifact: null,
      series: { ...r.series, health: [] },
      verification: { recorded: true, artifactId: r.deploy.artifactId, keyId: 'ab12cd34ef56ab78' },
    };
    const html = renderReport(promoted);
    expect(html).toContain('No breach was confirmed.');
    expect(html).toContain('no evaluations were recorded for this signal');
    expect(html).toContain('recorded as verified (key ab12cd34ef56ab78)');
    expect(html).not.toContain('data-mark="cutover"');
    expect(html.match(/<svg class="signal-chart"/g)).toHaveLength(4);
  });
});
