// Writes packages/cli/schema/rollgate.schema.json from the zod schemas (see configJsonSchema).
// Run after changing the configuration or contract schema: pnpm --filter @rollgate/cli run schema
// (a test fails while the shipped file differs).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/config-json-schema';

const file = fileURLToPath(new URL('../schema/rollgate.schema.json', import.meta.url));
writeFileSync(file, await configJsonSchemaText());
console.log(`wrote ${file}`);
