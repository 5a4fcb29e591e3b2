import type { Signer } from '../ports/artifact-store';

/**
 * What a host (the CLI, an embedder) hands an adapter's `create(options, deps)` besides its
 * options: the parts that are not configuration.
 */
export interface AdapterDeps {
  /** Non-fatal problems the adapter meets (a malformed log line), shown as progress output. */
  readonly onWarning?: (message: string) => void;
}

/**
 * What a host hands a state store's `create(options, deps)` besides its options: the parts every
 * store type shares, which the host configures once (`state.keep`, `state.leaseSeconds`,
 * `state.signing` of a configuration file).
 */
export interface StoreDeps {
  /** Signs verifications and checks them when read back. */
  readonly signer: Signer;
  /** Verified artifacts kept per service. */
  readonly keep: number;
  /** The watch lease's duration. */
  readonly leaseTtlMs: number;
}
