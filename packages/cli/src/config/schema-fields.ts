import type { z } from 'zod';

/**
 * Reads the shape of a zod schema, for "did you mean" hints: which fields an object at a path
 * accepts. zod keeps a schema's structure in `_zod.def`; only the kinds the configuration uses
 * are followed (objects, records, lists, unions, and the wrappers optional, default and pipe).
 */
type Def = {
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

const defOf = (schema: z.core.$ZodType): Def => schema._zod.def as unknown as Def;

/** The field names the object at `path` accepts, or none when `path` is not an object there. */
export function fieldsAt(schema: z.core.$ZodType, path: readonly PropertyKey[], input: unknown): string[] {
  let current: z.core.$ZodType | null = schema;
  let value = input;
  for (const segment of path) {
    current = pick(current, value);
    if (current === null) return [];
    const def = defOf(current);
    const child = (value as Record<PropertyKey, unknown> | null | undefined)?.[segment];
    if (def.type === 'object' && typeof segment === 'string') current = def.shape?.[segment] ?? null;
    else if (def.type === 'record') current = def.valueType ?? null;
    else if (def.type === 'array') current = def.element ?? null;
    else return [];
    value = child;
  }
  const target = pick(current, value);
  if (target === null) return [];
  const def = defOf(target);
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'union') {
    // No option matched the value's tag: every option's fields are candidates.
    return [...new Set((def.options ?? []).flatMap((o) => fieldsAt(o, [], undefined)))];
  }
  return [];
}

/** Unwraps optional, default and pipes, and picks the union option the value's tag selects. */
function pick(schema: z.core.$ZodType | null, value: unknown): z.core.$ZodType | null {
  let current = schema;
  for (let depth = 0; current !== null && depth < 16; depth++) {
    const def = defOf(current);
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
        current = def.innerType ?? null;
        continue;
      case 'pipe':
        // z.preprocess: a transform in, the schema out.
        current = (def.out && defOf(def.out).type !== 'transform' ? def.out : def.in) ?? null;
        continue;
      case 'lazy':
        current = def.getter?.() ?? null;
        continue;
      case 'union': {
        const tag = def.discriminator;
        if (tag === undefined || typeof value !== 'object' || value === null) return current;
        const wanted = (value as Record<string, unknown>)[tag];
        const match = (def.options ?? []).find((option) => {
          const o = pick(option, undefined);
          const field = o ? defOf(o).shape?.[tag] : undefined;
          return field !== undefined && (defOf(field).values ?? []).includes(wanted);
        });
        if (!match) return current;
        current = match;
        continue;
      }
      default:
        return current;
    }
  }
  return current;
}
