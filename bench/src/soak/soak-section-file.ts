import { parseBenchDoc, renderBenchDoc, withKeptBlock } from '../bench-doc';

/** The soak's block in docs/benchmarks.md: kept by `pnpm bench`, written only by the soak. */
export const SOAK_BLOCK = 'soak';
const SOAK_NOTE = 'written by `pnpm --filter @rollgate/bench run soak`';

/** `text` (docs/benchmarks.md) with its soak block replaced by `section`, or appended. */
export function withSoakSection(text: string, section: string): string {
  return renderBenchDoc(withKeptBlock(parseBenchDoc(text), SOAK_BLOCK, section, SOAK_NOTE));
}
