/** What `pnpm demo -- [flags]` asks for. */
export interface DemoOptions {
  /** Progress on stderr; stdout gets one JSON summary line at the end. */
  readonly json: boolean;
  /** Deploy a good release 2, which Rollgate keeps (promoted). */
  readonly healthy: boolean;
  /** Keep the processes' files (deploy_path, state, config, audit) and say where they are. */
  readonly keep: boolean;
  /** Use a real Prometheus when installed (default); false forces the exposition source. */
  readonly prometheus: boolean;
  /** Where the HTML report goes (default examples/.demo/rollgate-report.html). */
  readonly report: string | null;
  /** Print every evaluation with each signal's reason. */
  readonly verbose: boolean;
  readonly help: boolean;
}

/** The help text. */
export const DEMO_USAGE = `pnpm demo [-- options]

Runs Rollgate's self-healing loop on this machine: a Deployer release directory, a small
service, a load generator, metrics (a real Prometheus when installed, otherwise Rollgate's
exposition source), a bad deploy, and the real \`rollgate watch\` rolling it back.

  --json            progress on stderr, one JSON summary line on stdout
  --healthy         deploy a good release 2: Rollgate keeps it (promoted)
  --no-prometheus   do not use Prometheus even when installed (exposition source)
  --keep            keep the temporary directory (deploy_path, state, config) and print it
  --report FILE     write the HTML report there (default examples/.demo/rollgate-report.html)
  --verbose         print every evaluation with each signal's reason
  -h, --help        this help
`;

/** A command line the demo cannot run. */
export class DemoUsageError extends Error {}

/** Parses the demo's flags; a bare `--` (pnpm passes it through) is ignored. */
export function parseDemoOptions(argv: readonly string[]): DemoOptions {
  const options = {
    json: false,
    healthy: false,
    keep: false,
    prometheus: true,
    report: null as string | null,
    verbose: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    if (arg === '--json') options.json = true;
    else if (arg === '--healthy') options.healthy = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--no-prometheus') options.prometheus = false;
    else if (arg === '--verbose') options.verbose = true;
    else if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg === '--report' || arg.startsWith('--report=')) {
      const value = arg === '--report' ? argv[++i] : arg.slice('--report='.length);
      if (value === undefined || value.length === 0) throw new DemoUsageError('--report needs a file name');
      options.report = value;
    } else {
      throw new DemoUsageError(`unknown option ${arg}`);
    }
  }
  return options;
}
