/**
 * A small JSON Schema (draft-07) checker for the keywords the configuration's generated schema
 * uses, so tests can check documents against it as an editor would. {@link KNOWN_KEYWORDS} lists
 * them; `unknownKeywords` finds any other, so a keyword this checker would ignore fails a test
 * instead of passing silently.
 */

type Schema = Record<string, unknown>;

/** Keywords this checker applies (plus annotations it may ignore: title, description, default). */
export const KNOWN_KEYWORDS = new Set([
  '$schema',
  'title',
  'description',
  'default',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'anyOf',
  'oneOf',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'pattern',
]);

/** Every keyword of `schema` (walked through subschemas) that {@link KNOWN_KEYWORDS} lacks. */
export function unknownKeywords(schema: unknown): string[] {
  const out = new Set<string>();
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (!KNOWN_KEYWORDS.has(key)) out.add(key);
      if (key === 'properties') for (const sub of Object.values(value as Schema)) walk(sub);
      else if (key === 'anyOf' || key === 'oneOf') for (const sub of value as unknown[]) walk(sub);
      else if (key === 'items' || key === 'additionalProperties' || key === 'propertyNames') walk(value);
    }
  };
  walk(schema);
  return [...out];
}

/** The problems of `value` against `schema`, as `path: what`; empty when it conforms. */
export function checkJsonSchema(schema: unknown, value: unknown, path = '$'): string[] {
  if (schema === true || schema === undefined) return [];
  if (schema === false) return [`${path}: not allowed`];
  const s = schema as Schema;
  const problems: string[] = [];
  if (s.type !== undefined && !hasType(value, s.type as string | string[])) {
    return [`${path}: expected ${JSON.stringify(s.type)}`];
  }
  if (s.const !== undefined && value !== s.const)
    problems.push(`${path}: expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(value)) problems.push(`${path}: not one of the enum`);
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) problems.push(`${path}: below minimum`);
    if (typeof s.maximum === 'number' && value > s.maximum) problems.push(`${path}: above maximum`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum)
      problems.push(`${path}: not above exclusiveMinimum`);
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum)
      problems.push(`${path}: not below exclusiveMaximum`);
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && [...value].length < s.minLength)
      problems.push(`${path}: too short`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value))
      problems.push(`${path}: does not match ${s.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) problems.push(`${path}: too few items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) problems.push(`${path}: too many items`);
    if (s.items !== undefined)
      value.forEach((item, i) => {
        problems.push(...checkJsonSchema(s.items, item, `${path}[${i}]`));
      });
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, unknown>;
    for (const name of (s.required ?? []) as string[]) {
      if (!(name in record)) problems.push(`${path}.${name}: required`);
    }
    for (const [name, item] of Object.entries(record)) {
      if (s.propertyNames !== undefined)
        problems.push(...checkJsonSchema(s.propertyNames, name, `${path}.${name}(name)`));
      if (name in properties) problems.push(...checkJsonSchema(properties[name], item, `${path}.${name}`));
      else if (s.additionalProperties !== undefined)
        problems.push(...checkJsonSchema(s.additionalProperties, item, `${path}.${name}`));
    }
  }
  if (Array.isArray(s.anyOf) && !s.anyOf.some((sub) => checkJsonSchema(sub, value, path).length === 0)) {
    problems.push(`${path}: matches none of anyOf`);
  }
  if (Array.isArray(s.oneOf)) {
    const matches = s.oneOf.filter((sub) => checkJsonSchema(sub, value, path).length === 0).length;
    if (matches !== 1) problems.push(`${path}: matches ${matches} of oneOf (exactly 1 needed)`);
  }
  return problems;
}

function hasType(value: unknown, type: string | string[]): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => {
    switch (t) {
      case 'object':
        return typeof value === 'object' && value !== null && !Array.isArray(value);
      case 'array':
        return Array.isArray(value);
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value);
      case 'number':
        return typeof value === 'number' && Number.isFinite(value);
      case 'null':
        return value === null;
      default:
        return typeof value === t;
    }
  });
}
