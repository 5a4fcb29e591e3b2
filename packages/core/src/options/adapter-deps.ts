/**
 * What a host (the CLI, an embedder) hands an adapter's `create(options, deps)` besides its
 * options: the parts that are not configuration.
 */
export interface AdapterDeps {
  /** Non-fatal problems the adapter meets (a malformed log line), shown as progress output. */
  readonly onWarning?: (message: string) => void;
}
