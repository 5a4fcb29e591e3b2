/**
 * One table of docs/benchmarks.md. Every benchmark module exports `run` and returns its
 * sections; `src/run.ts` executes them in one process, one after another, and writes the file.
 * Compare figures only within one run: these machines are noisy, ratios measured side by side
 * are what to quote.
 */
export interface BenchSection {
  /** Heading, e.g. "Engine: evaluations per second". */
  readonly title: string;
  /** What was measured and how, in a sentence or two. */
  readonly description: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  /** Lines printed under the table (targets met, caveats). */
  readonly notes?: readonly string[];
}

/** What `run.ts` passes to each module. */
export interface BenchContext {
  /** Scale down for a quick run (`pnpm bench -- --quick`). */
  readonly quick: boolean;
  /** Progress output on long runs. */
  log(message: string): void;
}

export type BenchModule = (ctx: BenchContext) => Promise<readonly BenchSection[]>;
