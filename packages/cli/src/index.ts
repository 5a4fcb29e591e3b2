// The rollgate command line, as a library: run it in-process, or reuse its parts.

export type { OptionSpec, ParsedArgs } from './cli/arg-parser';
export { flag, parseArgs, stringOption } from './cli/arg-parser';
export type { CommandContext, CommandDefinition, PositionalSpec } from './cli/command';
export { defineCommand, HELP_OPTION } from './cli/command';
export type { ExitCode } from './cli/exit-codes';
export { EXIT_CODES } from './cli/exit-codes';
export { main } from './cli/main';
export { UsageError } from './cli/usage-error';
export { CLI_VERSION } from './cli/version';
export type { CommandEntry } from './command-registry';
export { COMMANDS, commandEntry, loadCommands } from './command-registry';
export type { RollgateConfig } from './config/config-schema';
export { RollgateConfigSchema } from './config/config-schema';
export { substituteEnv } from './config/env-substitution';
export type { LoadedConfig } from './config/load-config';
export { DEFAULT_CONFIG_FILES, findConfigFile, loadConfig, parseConfig } from './config/load-config';
export { starterConfig } from './config/starter-config';
export type { InterruptSource, Io, OutputStream } from './io/io';
export { processIo } from './io/io';
export type { WatchSummary } from './progress/watch-reporter';
export { loadAuditRecords } from './report/load-audit-records';
export type { ReportOptions } from './report/render-report';
export { renderReport } from './report/render-report';
export { parseDeployTime } from './watch/deploy-time';
export { exitCodeFor, outcomeHeadline } from './watch/outcome-exit-code';
export type { StatePaths } from './wiring/state-layout';
export { statePaths } from './wiring/state-layout';
