import { innermostSchema, schemaDef } from '@rollgate/core';
import type { z } from 'zod';

/**
 * Reads the shape of a zod schema, for "did you mean" hints: which fields an object at a path
 * accepts. The walk through optional, default, pipes and tagged unions is core's
 * (`innermostSchema`), the one that finds path and secret fields.
 */

/** The field names the object at `path` accepts, or none when `path` is not an object there. */
export function fieldsAt(schema: z.core.$ZodType, path: readonly PropertyKey[], input: unknown): string[] {
  let current: z.core.$ZodType | null = schema;
  let value = input;
  for (const segment of path) {
    if (current === null) return [];
    current = innermostSchema(current, value);
    const def = schemaDef(current);
    const child = (value as Record<PropertyKey, unknown> | null | undefined)?.[segment];
    if (def.type === 'object' && typeof segment === 'string') current = def.shape?.[segment] ?? null;
    else if (def.type === 'record') current = def.valueType ?? null;
    else if (def.type === 'array') current = def.element ?? null;
    else return [];
    value = child;
  }
  if (current === null) return [];
  const target = innermostSchema(current, value);
  const def = schemaDef(target);
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'union') {
    // No option matched the value's tag: every option's fields are candidates.
    return [...new Set((def.options ?? []).flatMap((o) => fieldsAt(o, [], undefined)))];
  }
  return [];
}
