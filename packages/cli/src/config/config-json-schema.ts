import { ContractSchema } from '@rollgate/core';
import { z } from 'zod';
import { RollgateConfigSchema } from './config-schema';

/** Where `rollgate init` and docs/config.md say the schema is: inside the published package. */
export const CONFIG_SCHEMA_FILE = 'schema/rollgate.schema.json';

/**
 * `rollgate.yaml` as a JSON Schema (draft-07, which yaml-language-server and VS Code read), made
 * from the same zod schemas the CLI validates with, so an editor completes and checks the file
 * as `rollgate config check` would (cross-field rules and the adapters' own checks aside).
 * `contract` is the contract schema without `service`, every field optional (overrides). Number
 * and boolean fields also accept a `${NAME}` reference, which is substituted before validation.
 * The shipped copy (packages/cli/schema/rollgate.schema.json) is kept equal by a test.
 */
export function configJsonSchema(): Record<string, unknown> {
  const { service: _service, signals, ...contractFields } = ContractSchema.shape;
  const overrides = z.strictObject({ ...contractFields, signals: signals.optional() });
  const file = z.strictObject({ ...RollgateConfigSchema.shape, contract: overrides.optional() });
  const schema = z.toJSONSchema(file, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = ctx.zodSchema._zod.def as { type: string; in?: { _zod: { def: { type: string } } } };
      // num() and bool(): a preprocess pipe that also takes the text a `${NAME}` reference gives.
      if (def.type === 'pipe' && def.in?._zod.def.type === 'transform') {
        const typed = { ...ctx.jsonSchema };
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        ctx.jsonSchema.anyOf = [typed, ENV_REFERENCE];
      }
    },
  }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'rollgate.yaml',
    description:
      'Rollgate configuration: what to watch after a deploy and how to roll back. Every field: docs/config.md.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

const ENV_REFERENCE = {
  type: 'string' as const,
  pattern: '\\$\\{',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text quotes the reference syntax
  description: 'An environment reference, ${NAME} or ${NAME:-default}, giving the value as text.',
};

/** {@link configJsonSchema} as the shipped file holds it: two-space JSON and a final newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
