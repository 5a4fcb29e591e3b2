import { main } from './cli/main';
import { processIo } from './io/io';

const code = await main(process.argv.slice(2), processIo());
process.exitCode = code;
// Everything the CLI opened is closed by now; a stray handle in a dependency must not keep a CI
// job waiting, so exit anyway once the output has had a moment to drain.
setTimeout(() => process.exit(code), 2_000).unref();
