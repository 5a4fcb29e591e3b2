/**
 * docs/benchmarks.md as a header followed by marked blocks, so that a bench run rewrites only
 * what it measured:
 * - `section` blocks are written by `pnpm bench`, one per bench module (`--only a,b` re-measures
 *   those and keeps every other block as it was);
 * - `kept` blocks are written by something else (the live soak's own command, a before/after
 *   table measured once by hand) and no bench run touches them.
 * Text found outside any block (an older file, a hand edit) is kept where it stands, as a `loose`
 * block: a bench run never loses what the file held.
 */

/** One block of the file, in file order. */
export interface DocBlock {
  readonly kind: 'section' | 'kept' | 'loose';
  /** The module name for a section, a stable name for a kept block; empty for loose text. */
  readonly name: string;
  /** What the begin marker says about who writes the block (kept blocks). */
  readonly note?: string;
  /** The block's content, without its markers, trimmed. */
  readonly text: string;
}

/** The parsed file. */
export interface BenchDoc {
  readonly header: string;
  readonly blocks: readonly DocBlock[];
}

const MARKER = /<!-- (section|kept):(begin|end) ([\w.-]+)(?: \(([^)]*)\))? -->/g;

function beginMarker(block: DocBlock): string {
  const note = block.note ?? (block.kind === 'section' ? 'written by `pnpm bench`' : undefined);
  return `<!-- ${block.kind}:begin ${block.name}${note ? ` (${note})` : ''} -->`;
}

const endMarker = (block: DocBlock): string => `<!-- ${block.kind}:end ${block.name} -->`;

/**
 * Parses `text`. The header is everything before the first block; a begin marker without its
 * end marker is an error (a half-edited file must be fixed by hand, not silently rewritten).
 */
export function parseBenchDoc(text: string): BenchDoc {
  const blocks: DocBlock[] = [];
  let header: string | null = null;
  let cursor = 0;
  let open: { kind: 'section' | 'kept'; name: string; note?: string; from: number } | null = null;
  for (const m of text.matchAll(MARKER)) {
    const [whole, kind, edge, name, note] = m as unknown as [
      string,
      'section' | 'kept',
      string,
      string,
      string?,
    ];
    const at = m.index ?? 0;
    if (edge === 'begin') {
      if (open !== null)
        throw new Error(`docs/benchmarks.md: block "${open.name}" has no end marker before "${name}" begins`);
      const loose = text.slice(cursor, at).trim();
      if (header === null) header = loose;
      else if (loose !== '') blocks.push({ kind: 'loose', name: '', text: loose });
      open = { kind, name, ...(note === undefined ? {} : { note }), from: at + whole.length };
    } else {
      if (open === null || open.kind !== kind || open.name !== name) {
        throw new Error(`docs/benchmarks.md: end marker of "${name}" without its begin marker`);
      }
      blocks.push({
        kind,
        name,
        ...(open.note === undefined ? {} : { note: open.note }),
        text: text.slice(open.from, at).trim(),
      });
      open = null;
      cursor = at + whole.length;
    }
  }
  if (open !== null) throw new Error(`docs/benchmarks.md: block "${open.name}" has no end marker`);
  const rest = text.slice(cursor).trim();
  if (header === null) return { header: rest, blocks };
  if (rest !== '') blocks.push({ kind: 'loose', name: '', text: rest });
  return { header, blocks };
}

/** The file text of `doc`. */
export function renderBenchDoc(doc: BenchDoc): string {
  const parts = [doc.header.trim()];
  for (const block of doc.blocks) {
    parts.push(
      block.kind === 'loose' ? block.text : `${beginMarker(block)}\n\n${block.text}\n\n${endMarker(block)}`,
    );
  }
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}

/**
 * `doc` with the section of each measured module replaced in place; a module the file does not
 * hold yet goes before the first module after it in `order` (or right after the last one
 * before it), so a new section lands where a full run would put it. Every other block is kept.
 */
export function withSections(
  doc: BenchDoc,
  measured: readonly { readonly name: string; readonly text: string }[],
  order: readonly string[],
): BenchDoc {
  const blocks = [...doc.blocks];
  for (const { name, text } of measured) {
    const index = blocks.findIndex((b) => b.kind === 'section' && b.name === name);
    if (index !== -1) {
      blocks[index] = { ...blocks[index], kind: 'section', name, text: text.trim() };
      continue;
    }
    // Before the first section of a later module (the kept blocks after earlier sections stay
    // with them); failing that, right after the last earlier section (a trailing kept block
    // such as the soak stays last).
    const rank = order.indexOf(name);
    const rankAt = (i: number) => {
      const b = blocks[i];
      return b?.kind === 'section' ? order.indexOf(b.name) : -1;
    };
    let insertAt = blocks.findIndex((_, i) => rankAt(i) > rank);
    if (insertAt === -1) {
      let lastBefore = -1;
      for (let i = 0; i < blocks.length; i++) if (rankAt(i) !== -1 && rankAt(i) < rank) lastBefore = i;
      insertAt = lastBefore === -1 ? blocks.length : lastBefore + 1;
    }
    blocks.splice(insertAt, 0, { kind: 'section', name, text: text.trim() });
  }
  return { header: doc.header, blocks };
}

/** `doc` with the kept block `name` set to `text` (appended at the end when absent). */
export function withKeptBlock(doc: BenchDoc, name: string, text: string, note: string): BenchDoc {
  const block: DocBlock = { kind: 'kept', name, note, text: text.trim() };
  const index = doc.blocks.findIndex((b) => b.kind === 'kept' && b.name === name);
  if (index === -1) return { header: doc.header, blocks: [...doc.blocks, block] };
  return { header: doc.header, blocks: doc.blocks.map((b, i) => (i === index ? block : b)) };
}
