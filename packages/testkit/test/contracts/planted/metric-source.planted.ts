import { describeMetricSourceContract } from '../../../src';
import { type ReferenceSourceOptions, referenceSource } from './reference-source';

// Run by ../planted-bugs.test.ts in a separate vitest process: the reference passes every test,
// each planted bug must fail the test written for it.
function harness(bug?: ReferenceSourceOptions['bug']) {
  return async () => {
    const now = Date.now();
    const make = (backend: ReferenceSourceOptions['backend']) =>
      referenceSource(bug === undefined ? { backend } : { backend, bug });
    return {
      source: make('ok'),
      query: { measure: 'requests' as const, selector: { service: 'checkout' } },
      emptyQuery: { measure: 'requests' as const, selector: { service: 'none' } },
      range: () => ({ start: now - 60_000, end: now, stepMs: 10_000 }),
      failing: make('failing'),
      hanging: make('hanging'),
      now: () => Date.now(),
      teardown: async () => {},
      badQuery: { measure: 'requests' as const, selector: { 'bad label': 'x' } },
      batchQueries: [
        { measure: 'requests' as const, selector: { service: 'cart' } },
        { measure: 'requests' as const, selector: { service: 'none' } },
        { measure: 'requests' as const, selector: { service: 'pay' } },
      ],
    };
  };
}

describeMetricSourceContract('reference', harness(), { readMany: true });
describeMetricSourceContract(
  'planted: two series without segmentBy',
  harness('two-series-without-segmentBy'),
);
describeMetricSourceContract('planted: samples outside [start, end]', harness('samples-outside-range'));
describeMetricSourceContract('planted: readMany out of order', harness('readMany-out-of-order'), {
  readMany: true,
});
describeMetricSourceContract(
  'planted: readMany fails every request for one bad query',
  harness('readMany-one-bad-query-fails-all'),
  { readMany: true },
);
