#!/usr/bin/env node
// The `rollgate` executable: a small committed file so pnpm can link the bin before a build.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'rollgate: the CLI is not built yet. Run `pnpm --filter @rollgate/cli build`, or run it from source:\n' +
      '  node --conditions=source --import tsx packages/cli/src/bin.ts <command>\n',
  );
  process.exit(1);
}
await import(built.href);
