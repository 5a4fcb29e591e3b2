import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/** A 1-based line and column in the configuration file. */
export interface FilePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Finds where a field is written: `locate(['sources', 'prom', 'url'])` is the position of the
 * value of `url`, or with `key: true` of the word `url` itself (for a field that should not be
 * there). A path that does not exist in the file (a required field that is missing) gives the
 * position of its deepest part that does; the root gives the first line.
 */
export type Locator = (path: readonly PropertyKey[], options?: { readonly key?: boolean }) => FilePosition;

/** A {@link Locator} over a parsed YAML (or JSON) document. */
export function createLocator(doc: Document, lines: LineCounter): Locator {
  const at = (offset: number): FilePosition => {
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const start: FilePosition = doc.contents?.range ? at(doc.contents.range[0]) : { line: 1, column: 1 };
  return (path, options = {}) => {
    let node: Node | null = resolve(doc, doc.contents as Node | null);
    let found = start;
    for (const [i, segment] of path.entries()) {
      if (node === null) break;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        const key = pair.key as Node;
        const value = resolve(doc, pair.value as Node | null);
        if (last && options.key && key.range) return at(key.range[0]);
        const where = value?.range ?? key.range;
        if (where) found = at(where[0]);
        // A block mapping or list under a key starts on the next line: a problem with the whole
        // value is shown at its key.
        if (key.range && value && (isMap(value) || isSeq(value)) && !value.flow) found = at(key.range[0]);
        node = value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = resolve(doc, (node.items[segment] as Node | undefined) ?? null);
        if (!item) break;
        if (item.range) found = at(item.range[0]);
        node = item;
      } else break;
    }
    return found;
  };
}

function resolve(doc: Document, node: Node | null): Node | null {
  let current = node;
  for (let depth = 0; depth < 8 && current && isAlias(current); depth++) {
    current = (current.resolve(doc) as Node | undefined) ?? null;
  }
  return current;
}
