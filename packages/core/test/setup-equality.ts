import { expect } from 'vitest';
import { ChartColumns } from '../src/machine/audit/chart-columns';

/**
 * Chart series are columns in memory (`ChartColumns`, whose storage is private and may hold more
 * slots than the series reads): `toEqual` compares them by their points, and a series equals the
 * array of points it holds (a snapshot read back from its JSON holds arrays).
 */
expect.addEqualityTesters([
  function chartColumnsEqual(a: unknown, b: unknown, testers) {
    const aCols = a instanceof ChartColumns;
    const bCols = b instanceof ChartColumns;
    if (!aCols && !bCols) return undefined;
    const points = (x: unknown): unknown => (x instanceof ChartColumns ? x.points() : x);
    return this.equals(points(a), points(b), testers);
  },
]);
