import type { z } from 'zod';
import { type OptionMeta, optionMeta } from './option-meta';

/** The parts of a zod schema's `_zod.def` the option walks read. */
export type SchemaDef = {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.core.$ZodType>>;
  readonly innerType?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly out?: z.core.$ZodType;
  readonly valueType?: z.core.$ZodType;
  readonly element?: z.core.$ZodType;
  readonly options?: readonly z.core.$ZodType[];
  readonly discriminator?: string;
  readonly values?: readonly unknown[];
  readonly getter?: () => z.core.$ZodType;
};

/** A zod schema's definition, as {@link SchemaDef}. */
export const defOf = (schema: z.core.$ZodType): SchemaDef => schema._zod.def as unknown as SchemaDef;

/**
 * The schema that describes `value`: through optional, default and pipes, and to the option of
 * a discriminated union the value's tag selects (a union whose tag matches none is returned).
 */
export function innermostSchema(schema: z.core.$ZodType, value: unknown): z.core.$ZodType {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    const inner = unwrap(defOf(current), value);
    if (inner === undefined) return current;
    current = inner;
  }
  return current;
}

/** Where a marked text value sits, as path segments from the root of the value walked. */
export type OptionPath = readonly (string | number)[];

/** What {@link mapOptionValues} knows about one leaf value. */
export interface OptionLeaf {
  /** Where the value sits, from the root of the value walked. */
  readonly path: OptionPath;
  /** The marks of the field and of every list or mapping around it. */
  readonly meta: OptionMeta;
  /** The field's schema type once unwrapped (`number`, `string`, `union`), or null when unknown. */
  readonly type: string | null;
}

/**
 * A copy of `value` with every leaf (each value that is not a list or a mapping) replaced by
 * `replace(leaf, where)`. The value need not be valid: the walk follows the schema as far as the
 * value matches it (a discriminated union by its tag), and a leaf the schema does not describe
 * is visited with no marks and type null.
 */
export function mapOptionValues(
  schema: z.core.$ZodType,
  value: unknown,
  replace: (leaf: unknown, where: OptionLeaf) => unknown,
): unknown {
  const walk = (node: z.core.$ZodType | null, item: unknown, path: OptionPath, meta: OptionMeta): unknown => {
    let current = node;
    let marks = meta;
    for (let depth = 0; current !== null && depth < 32; depth++) {
      const own = optionMeta.get(current);
      if (own !== undefined) marks = { ...marks, ...own };
      const inner = unwrap(defOf(current), item);
      if (inner === undefined) break;
      current = inner;
    }
    const def = current === null ? undefined : defOf(current);
    if (Array.isArray(item)) {
      const element = def?.type === 'array' ? (def.element ?? null) : null;
      return item.map((entry, i) => walk(element, entry, [...path, i], marks));
    }
    if (typeof item === 'object' && item !== null && !ArrayBuffer.isView(item)) {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(item)) {
        const child =
          def?.type === 'object'
            ? (def.shape?.[key] ?? null)
            : def?.type === 'record'
              ? (def.valueType ?? null)
              : null;
        out[key] = walk(child, entry, [...path, key], marks);
      }
      return out;
    }
    return replace(item, { path, meta: marks, type: def?.type ?? null });
  };
  return walk(schema, value, [], {});
}

/**
 * A copy of `value` in which every text value under a field marked `mark` (see
 * {@link pathOption}, {@link secretOption}) is replaced by `replace(text, path)`.
 */
export function mapMarkedValues(
  schema: z.core.$ZodType,
  value: unknown,
  mark: keyof OptionMeta,
  replace: (text: string, path: OptionPath) => string,
): unknown {
  return mapOptionValues(schema, value, (leaf, where) =>
    typeof leaf === 'string' && where.meta[mark] ? replace(leaf, where.path) : leaf,
  );
}

/** Every text value under a field marked `mark`, with its path (see {@link mapMarkedValues}). */
export function markedValues(
  schema: z.core.$ZodType,
  value: unknown,
  mark: keyof OptionMeta,
): { readonly path: OptionPath; readonly value: string }[] {
  const found: { path: OptionPath; value: string }[] = [];
  mapMarkedValues(schema, value, mark, (text, path) => {
    found.push({ path, value: text });
    return text;
  });
  return found;
}

/**
 * The schema one level in: through optional, default and pipes, and to the option of a
 * discriminated union the value's tag selects; undefined when there is nothing to unwrap.
 */
function unwrap(def: SchemaDef, value: unknown): z.core.$ZodType | undefined {
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return def.innerType;
    case 'pipe':
      // z.preprocess: a transform in, the schema out.
      return def.out && defOf(def.out).type !== 'transform' ? def.out : def.in;
    case 'lazy':
      return def.getter?.();
    case 'union': {
      const tag = def.discriminator;
      if (tag === undefined || typeof value !== 'object' || value === null) return undefined;
      const wanted = (value as Record<string, unknown>)[tag];
      return (def.options ?? []).find((option) => {
        const field = objectShape(option)?.[tag];
        return field !== undefined && literalValues(field).includes(wanted);
      });
    }
    default:
      return undefined;
  }
}

function objectShape(schema: z.core.$ZodType): Readonly<Record<string, z.core.$ZodType>> | undefined {
  let current: z.core.$ZodType | undefined = schema;
  for (let depth = 0; current !== undefined && depth < 16; depth++) {
    const def = defOf(current);
    if (def.type === 'object') return def.shape;
    current = unwrap(def, undefined);
  }
  return undefined;
}

function literalValues(schema: z.core.$ZodType): readonly unknown[] {
  return (schema._zod as { values?: Set<unknown> }).values
    ? [...(schema._zod as { values: Set<unknown> }).values]
    : (defOf(schema).values ?? []);
}
