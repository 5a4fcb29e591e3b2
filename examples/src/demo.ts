// `pnpm demo`: Rollgate's self-healing loop on one machine. See examples/README.md.
import { DEMO_USAGE, DemoUsageError, parseDemoOptions } from './demo/demo-options';
import { runDemo } from './demo/run-demo';

let options: ReturnType<typeof parseDemoOptions>;
try {
  options = parseDemoOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof DemoUsageError)) throw error;
  process.stderr.write(`demo: ${error.message}\n\n${DEMO_USAGE}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(DEMO_USAGE);
  process.exit(0);
}

const stop = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) process.exit(130);
  process.stderr.write(`\ndemo: ${name} received: stopping and cleaning up (again to exit at once)\n`);
  stop.abort(new Error(name));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  const result = await runDemo(options, stop.signal);
  if (options.json) process.stdout.write(`${JSON.stringify(result.summary)}\n`);
  if (!result.asExpected) {
    process.stderr.write(
      `demo: Rollgate did not ${options.healthy ? 'keep the good release' : 'roll back and verify recovery'}; see the output above.\n`,
    );
  }
  process.exitCode = result.asExpected ? 0 : 1;
} catch (error) {
  if (stop.signal.aborted) {
    process.stderr.write('demo: interrupted; every process it started was stopped.\n');
    process.exitCode = 130;
  } else {
    process.stderr.write(
      `demo: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
// Everything is stopped by now; a stray handle must not keep the terminal waiting.
setTimeout(() => process.exit(), 1_000).unref();
