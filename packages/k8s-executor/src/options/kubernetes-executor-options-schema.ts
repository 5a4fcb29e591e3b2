import {
  booleanOption,
  millisecondsOption,
  type OptionsOf,
  pathOption,
  secretOption,
  textOption,
  wholeNumberOption,
} from '@rollgate/core';
import { z } from 'zod';

/**
 * The string forms of a cluster connection's options, as a configuration file writes them: the
 * executor's, the pod health source's and the elector's (`KubeConnectionOptions` widens
 * `kubeconfig` and `inCluster` and adds the runtime-only `dispatcher` and `connection`).
 */
const connectionFields = {
  /** A kubeconfig file path, or a `KubeConfig` you loaded yourself (e.g. `loadFromDefault()`). */
  kubeconfig: pathOption(z.string()).optional(),
  /** A context of the kubeconfig to use instead of its `current-context`. */
  context: z.string().optional(),
  /**
   * The pod's service account (`KubeConfig.loadFromCluster()`): token and CA under
   * `/var/run/secrets/kubernetes.io/serviceaccount`, host from `KUBERNETES_SERVICE_HOST/PORT`.
   * `pathPrefix` roots that path elsewhere (tests, chroots).
   */
  inCluster: booleanOption().optional(),
  /** An explicit API server URL, e.g. `https://10.0.0.1:6443`; pair it with `token`. */
  server: z.string().optional(),
  /** Bearer token for `server`. */
  token: secretOption(z.string()).optional(),
  /** PEM CA bundle that signs `server`'s certificate. */
  certificateAuthority: z.string().optional(),
  /** Skip TLS verification for `server` (never in production). */
  insecureSkipTlsVerify: booleanOption().optional(),
};

/** A cluster connection's options a configuration file can hold (see `connectionFields`). */
export const KubeConnectionOptionsSchema = z.strictObject(connectionFields);

/**
 * The options of the Kubernetes executor as a configuration file writes them (`executor`
 * without `type`): the one description of every field, its bounds, its path (`kubeconfig`) and
 * its secret (`token`). `createKubernetesExecutor` checks them with this schema, and its option
 * types are derived from it; its runtime-only options (`connection`, `dispatcher`, `clock`,
 * `name`, `inCluster: { pathPrefix }`) are checked by the factory.
 */
export const KubernetesExecutorOptionsSchema = z.strictObject({
  /** Namespace of the Deployment. */
  namespace: textOption('a namespace'),
  /** Name of the Deployment. */
  deployment: textOption('a Deployment name'),
  ...connectionFields,
  /** How often a cutover re-reads and retries after a 409 Conflict before `CUTOVER_FAILED`. Default 5. */
  conflictRetries: wholeNumberOption(0, 100).optional(),
  /**
   * The gate's own bound when the controller never reports ProgressDeadlineExceeded (controller
   * down, generation never observed): no status progress for `progressDeadlineSeconds` plus this
   * many ms fails the gate. Default 10 000.
   */
  progressDeadlineGraceMs: millisecondsOption(3_600_000, true).optional(),
  /** Pause before re-listing after a transient error while the gate waits. Default 1000 ms. */
  retryDelayMs: millisecondsOption(600_000, true).optional(),
  /** Read image digests from running pods (needs `list pods`; best effort). Default true. */
  resolveImageDigests: booleanOption().optional(),
});

/** The options as written. */
export type KubernetesExecutorOptionsInput = z.input<typeof KubernetesExecutorOptionsSchema>;
/** The options after the schema. */
export type KubernetesExecutorOptionsParsed = z.output<typeof KubernetesExecutorOptionsSchema>;
/** The string forms of a connection's options (see `KubeConnectionOptions`). */
export type KubeConnectionOptionsInput = OptionsOf<typeof KubeConnectionOptionsSchema>;
/** The executor's own options a configuration file can hold, its connection's left out. */
export type KubernetesExecutorFields = Omit<
  OptionsOf<typeof KubernetesExecutorOptionsSchema>,
  keyof typeof connectionFields
>;
