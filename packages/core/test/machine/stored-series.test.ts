import { describe, expect, it } from 'vitest';
import type { AuditPoint } from '../../src/audit/audit-record';
import { defaultSignals } from '../../src/contract/default-contract';
import { parseContract } from '../../src/contract/parse-contract';
import { RollgateError } from '../../src/errors/rollgate-error';
import { ChartColumns } from '../../src/machine/audit/chart-columns';
import type { MachineSnapshot } from '../../src/machine/machine-state';
import { startWatch } from '../../src/machine/rollback-machine';
import { parseMachineSnapshot } from '../../src/machine/snapshot-schema';
import { encodeStoredSnapshot } from '../../src/machine/stored-series';
import { DEPLOY_AT } from './world';

function withSeries(series: Record<string, AuditPoint[]>): MachineSnapshot {
  const contract = parseContract({ service: 'checkout', signals: defaultSignals() });
  const { snapshot } = startWatch({
    watchId: 'w',
    contract,
    deploy: { artifactId: 'v2', deployedAt: DEPLOY_AT },
    options: { dryRun: false, cooldownSeconds: 1800, settleMs: 0, weights: null, bakeSecondsPerStep: null },
    guard: { lastRollback: null },
    now: DEPLOY_AT,
  });
  return {
    ...snapshot,
    series: Object.fromEntries(Object.entries(series).map(([k, v]) => [k, ChartColumns.of(v)])),
  };
}

const at = (s: number) => new Date(DEPLOY_AT + s * 1000).toISOString();
const points: AuditPoint[] = [
  {
    at: at(5),
    phase: 'bake',
    rule: 'sequential',
    status: 'pass',
    value: 0.004,
    threshold: 0.003,
    statistic: -1.5,
  },
  {
    at: at(10),
    phase: 'bake',
    rule: 'sequential',
    status: 'breach',
    value: 0.2,
    threshold: 0.003,
    statistic: null,
  },
  { at: at(15), phase: 'verify', status: 'no-data', value: null, threshold: null },
  {
    at: at(20),
    phase: 'bake',
    rule: 'sequential',
    status: 'error',
    value: null,
    threshold: null,
    warnings: ['partial response: store gateway down'],
  },
];

describe('chart points in a stored snapshot', () => {
  it('are saved as compact tuples and read back exactly as they were', () => {
    const snapshot = withSeries({ 'error-rate': points, memory: [] });
    const stored = JSON.parse(JSON.stringify(encodeStoredSnapshot(snapshot))) as {
      series: Record<string, unknown[]>;
    };
    expect(stored.series['error-rate']?.slice(0, 3).every(Array.isArray)).toBe(true);
    // The point with warnings stays an object.
    expect(Array.isArray(stored.series['error-rate']?.[3])).toBe(false);
    expect(JSON.stringify(stored).length).toBeLessThan(JSON.stringify(snapshot).length);
    expect(parseMachineSnapshot(stored, 'test')).toEqual(snapshot);
  });

  it('reads snapshots saved with points as objects unchanged', () => {
    const snapshot = withSeries({ 'error-rate': points });
    const stored = JSON.parse(JSON.stringify(snapshot)) as unknown;
    expect(parseMachineSnapshot(stored, 'test')).toEqual(snapshot);
  });

  it('refuses a damaged compact point as a corrupt snapshot naming the series', () => {
    const stored = JSON.parse(JSON.stringify(encodeStoredSnapshot(withSeries({ 'error-rate': points })))) as {
      series: Record<string, unknown[]>;
    };
    (stored.series['error-rate'] as unknown[])[0] = ['yesterday', 'bake', null, 'pass', 1, 1];
    let caught: unknown;
    try {
      parseMachineSnapshot(stored, 'stored snapshot of watch w');
    } catch (error) {
      caught = error;
    }
    expect(RollgateError.is(caught) && caught.code).toBe('STATE_CORRUPT');
    expect((caught as Error).message).toContain('series');
  });
});
