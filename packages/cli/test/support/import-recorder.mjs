// Loaded with `node --import <this file>`: records the URL of every module the process resolves,
// one per line, in the file named by ROLLGATE_IMPORT_LOG. The start-up test and the cli-startup
// bench use it to show which packages a command loads.
import { register } from 'node:module';

register('./import-recorder-hooks.mjs', import.meta.url, {
  data: { file: process.env.ROLLGATE_IMPORT_LOG },
});
