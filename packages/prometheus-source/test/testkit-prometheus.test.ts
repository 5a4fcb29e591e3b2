import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findPrometheusBinary,
  PROMETHEUS_INSTALL_HINT,
  startPrometheus,
  startTestExporter,
} from '@rollgate/testkit/prometheus';
import { describe, expect, it } from 'vitest';

// The launcher and exporter live in @rollgate/testkit/prometheus (owned with this package);
// their end-to-end use is the integration suite, these cover the edges it cannot.

describe('findPrometheusBinary', () => {
  it('fails with the install hint when there is no binary, never silently', () => {
    expect(() => findPrometheusBinary({ path: '', fallbacks: [] })).toThrow(/apt-get install -y prometheus/);
    expect(() => findPrometheusBinary({ path: '', fallbacks: [] })).toThrow(/bash scripts\/setup\.sh/);
    expect(() => findPrometheusBinary({ binary: '/nonexistent/prometheus' })).toThrow(
      PROMETHEUS_INSTALL_HINT,
    );
  });

  it('finds an executable on PATH before the fallbacks, and ignores non-executables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollgate-bin-'));
    try {
      writeFileSync(join(dir, 'prometheus'), '#!/bin/sh\n', { mode: 0o644 });
      expect(() => findPrometheusBinary({ path: dir, fallbacks: [] })).toThrow(/not found/);
      chmodSync(join(dir, 'prometheus'), 0o755);
      expect(findPrometheusBinary({ path: dir, fallbacks: ['/usr/bin/prometheus'] })).toBe(
        join(dir, 'prometheus'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('startPrometheus rejects with the hint for a missing binary', async () => {
    await expect(startPrometheus({ scrapeTargets: [], binary: '/nonexistent/prometheus' })).rejects.toThrow(
      /apt-get install -y prometheus/,
    );
  });
});

describe('startTestExporter', () => {
  it('serves the conventional metrics in text exposition, with escaped label values', async () => {
    const exporter = await startTestExporter({ buckets: [0.1, 1] });
    try {
      exporter.recordRequests({ code: 500, count: 2, seconds: 0.5, labels: { route: 'a"b\\c\nd' } });
      exporter.setGauge('queue_depth', 3, { queue: 'mail' });
      const text = await (await fetch(exporter.url)).text();
      expect(text).toContain('http_requests_total{code="200"} 0');
      expect(text).toContain('http_requests_total{code="500",route="a\\"b\\\\c\\nd"} 2');
      expect(text).toContain('http_request_duration_seconds_bucket{le="0.1",route="a\\"b\\\\c\\nd"} 0');
      expect(text).toContain('http_request_duration_seconds_bucket{le="1",route="a\\"b\\\\c\\nd"} 2');
      expect(text).toContain('http_request_duration_seconds_bucket{le="+Inf",route="a\\"b\\\\c\\nd"} 2');
      expect(text).toContain('http_request_duration_seconds_count{route="a\\"b\\\\c\\nd"} 2');
      expect(text).toContain('process_resident_memory_bytes 67108864');
      expect(text).toContain('queue_depth{queue="mail"} 3');
      expect(exporter.scrapes).toBe(1);
      exporter.setAvailable(false);
      const next = exporter.nextScrape();
      expect((await fetch(exporter.url)).status).toBe(503);
      expect((await next).served).toBe(false);
    } finally {
      await exporter.stop();
    }
  });
});
