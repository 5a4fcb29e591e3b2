import { ContractSchema } from '@rollgate/core';
import { z } from 'zod';
import { rollgateConfigSchema } from './config-schema';
import { loadAllAdapterSchemas } from './load-adapter-schemas';

/** Where `rollgate init` and docs/config.md say the schema is: inside the published package. */
export const CONFIG_SCHEMA_FILE = 'schema/rollgate.schema.json';

/**
 * `rollgate.yaml` as a JSON Schema (draft-07, which yaml-language-server and VS Code read), made
 * from the same zod schemas the CLI validates with (each adapter's own options schema, loaded
 * from its `options` entry point: all adapters are installed where the schema is written), so
 * an editor completes and checks the file
 * as `rollgate config check` would (cross-field rules and the adapters' own checks aside).
 * `contract` is the contract schema without `service`, every field optional (overrides). Number
 * and boolean fields also accept a `${NAME}` reference, which is substituted before validation.
 * The shipped copy (packages/cli/schema/rollgate.schema.json) is kept equal by a test.
 */
export async function configJsonSchema(): Promise<Record<string, unknown>> {
  const { service: _service, signals, ...contractFields } = ContractSchema.shape;
  const overrides = z.strictObject({ ...contractFields, signals: signals.optional() });
  const fileSchema = rollgateConfigSchema(await loadAllAdapterSchemas());
  const file = z.strictObject({ ...fileSchema.shape, contract: overrides.optional() });
  const schema = z.toJSONSchema(file, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const type = ctx.zodSchema._zod.def.type;
      // A Buffer or RegExp (z.instanceof, written as {}) is for programs: no value in a file
      // can be one, so it is not offered as a form.
      if (type === 'union' && Array.isArray(ctx.jsonSchema.anyOf)) {
        const forms = ctx.jsonSchema.anyOf.filter((form) => Object.keys(form as object).length > 0);
        if (forms.length === 1) {
          delete ctx.jsonSchema.anyOf;
          Object.assign(ctx.jsonSchema, forms[0]);
        } else ctx.jsonSchema.anyOf = forms;
        return;
      }
      // A number or boolean outside contract also takes the text a `${NAME}` reference gives
      // (coerceText turns it into the type before validation).
      if ((type === 'number' || type === 'boolean') && ctx.path[1] !== 'contract') {
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
export async function configJsonSchemaText(): Promise<string> {
  return `${JSON.stringify(await configJsonSchema(), null, 2)}\n`;
}
