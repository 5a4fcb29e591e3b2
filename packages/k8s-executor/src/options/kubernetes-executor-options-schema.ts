import {
  booleanOption,
  millisecondsOption,
  pathOption,
  secretOption,
  textOption,
  wholeNumberOption,
} from '@rollgate/core';
import { z } from 'zod';

/**
 * The options of the Kubernetes executor as a configuration file writes them (`executor`
 * without `type`): the one description of every field, its bounds, its path (`kubeconfig`) and
 * its secret (`token`). `createKubernetesExecutor` checks them with this schema; its
 * runtime-only options (`connection`, `dispatcher`, `clock`, `name`, `inCluster: { pathPrefix }`)
 * are checked by the factory.
 */
export const KubernetesExecutorOptionsSchema = z.strictObject({
  namespace: textOption('a namespace'),
  deployment: textOption('a Deployment name'),
  kubeconfig: pathOption(z.string()).optional(),
  context: z.string().optional(),
  inCluster: booleanOption().optional(),
  server: z.string().optional(),
  token: secretOption(z.string()).optional(),
  certificateAuthority: z.string().optional(),
  insecureSkipTlsVerify: booleanOption().optional(),
  conflictRetries: wholeNumberOption(0, 100).optional(),
  progressDeadlineGraceMs: millisecondsOption(3_600_000, true).optional(),
  retryDelayMs: millisecondsOption(600_000, true).optional(),
  resolveImageDigests: booleanOption().optional(),
});

/** The options as written. */
export type KubernetesExecutorOptionsInput = z.input<typeof KubernetesExecutorOptionsSchema>;
/** The options after the schema. */
export type KubernetesExecutorOptionsParsed = z.output<typeof KubernetesExecutorOptionsSchema>;
