import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { instrumentController } from '../src/controller-telemetry';
import { DEPLOY_AT, watchWorld } from './watch-world';

describe('spans of a watch', () => {
  it('records one span per watch with a child per phase, timed by the controller clock', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const w = watchWorld({ bad: true });
    instrumentController(w.controller, { tracerProvider });
    const result = await w.watch();
    expect(result.outcome).toBe('rolled-back');
    const spans = exporter.getFinishedSpans();
    const watch = spans.find((s) => s.name === 'rollgate.watch');
    expect(watch?.attributes).toMatchObject({
      'rollgate.service': 'checkout',
      'rollgate.outcome': 'rolled-back',
      'rollgate.dry_run': false,
    });
    const phases = spans
      .filter((s) => s.name.startsWith('rollgate.phase '))
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    expect(phases.map((s) => s.name)).toEqual([
      'rollgate.phase Starting',
      'rollgate.phase Watching',
      'rollgate.phase Validating',
      'rollgate.phase Retrieving',
      'rollgate.phase CuttingOver',
      'rollgate.phase Verifying',
    ]);
    for (const p of phases) expect(p.parentSpanContext?.spanId).toBe(watch?.spanContext().spanId);
    // The bake ran on the simulated clock: the Watching phase lasted tens of seconds of it.
    const watching = phases[1];
    const seconds = (watching?.duration[0] ?? 0) + (watching?.duration[1] ?? 0) / 1e9;
    expect(seconds).toBeGreaterThan(30);
    expect((watch?.startTime[0] ?? 0) * 1000).toBeGreaterThanOrEqual(Math.floor(DEPLOY_AT / 1000) * 1000);
    expect(watch?.events.map((e) => e.name)).toContain('rollgate.RolledBack');
  });
});
