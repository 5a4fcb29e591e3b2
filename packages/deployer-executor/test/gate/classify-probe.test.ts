import { describe, expect, it } from 'vitest';
import { classifyProbe } from '../../src/gate/classify-probe';

describe('classifyProbe', () => {
  const url = 'http://svc/health';

  it('passes 2xx and fails everything else', () => {
    for (const status of [200, 201, 204, 299])
      expect(classifyProbe(url, { kind: 'reply', status, body: '' }).pass).toBe(true);
    for (const status of [100, 301, 302, 404, 429, 500, 503]) {
      expect(classifyProbe(url, { kind: 'reply', status, body: '' }).pass).toBe(false);
    }
  });

  it('applies the body check only to 2xx replies and reports a short snippet', () => {
    const long = `ok ${'x'.repeat(500)}`;
    const verdict = classifyProbe(url, { kind: 'reply', status: 200, body: long }, 'ready');
    expect(verdict.pass).toBe(false);
    expect(verdict.observation.length).toBeLessThan(250);
    expect(classifyProbe(url, { kind: 'reply', status: 200, body: 'all ready' }, 'ready').pass).toBe(true);
    expect(classifyProbe(url, { kind: 'reply', status: 200, body: 'Ready' }, /ready/i).pass).toBe(true);
    expect(classifyProbe(url, { kind: 'reply', status: 503, body: 'ready' }, 'ready').pass).toBe(false);
  });

  it('describes a probe that got no reply', () => {
    expect(classifyProbe(url, { kind: 'error', message: 'ECONNREFUSED' })).toEqual({
      pass: false,
      observation: 'http://svc/health -> no reply (ECONNREFUSED)',
    });
  });
});
