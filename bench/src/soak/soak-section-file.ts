/** The markers around the soak section in docs/benchmarks.md. */
export const SOAK_BEGIN = '<!-- soak:begin (written by `pnpm --filter @rollgate/bench run soak`) -->';
export const SOAK_END = '<!-- soak:end -->';

/** The soak block (markers included) in `text`, or null. */
export function soakBlockOf(text: string): string | null {
  const begin = text.indexOf(SOAK_BEGIN);
  const end = text.indexOf(SOAK_END, begin);
  return begin === -1 || end === -1 ? null : text.slice(begin, end + SOAK_END.length);
}

/** `text` with its soak block replaced by `section` (appended at the end when it has none). */
export function withSoakSection(text: string, section: string): string {
  const block = `${SOAK_BEGIN}\n\n${section.trim()}\n\n${SOAK_END}`;
  const existing = soakBlockOf(text);
  if (existing !== null) return text.replace(existing, () => block);
  return `${text.trimEnd()}\n\n${block}\n`;
}

/**
 * The file `pnpm bench` writes (`next`) with the soak block of the file it replaces
 * (`previous`) kept: the soak is run on its own, so a bench run must not erase its figures.
 */
export function keepSoakSection(previous: string | null, next: string): string {
  const block = previous === null ? null : soakBlockOf(previous);
  return block === null ? next : `${next.trimEnd()}\n\n${block}\n`;
}
