import { fileURLToPath } from 'node:url';

/**
 * The hand-checked example scenarios of the `rollgate.scenario/v1` format (a copy of the
 * project brief's `scenarios/examples`, with its `_meta.json`), shipped in this package under
 * `scenarios/examples` next to the format's description (`scenarios/FORMAT.md`). Every package's
 * tests and the benchmark read them from here, so a clone needs nothing outside the repository.
 */
export const EXAMPLE_SCENARIOS_DIR: string = fileURLToPath(
  new URL('../../scenarios/examples', import.meta.url),
);
