import { z } from 'zod';

/**
 * A `_meta.json` file beside scenario files: for each scenario name, the parameters of the
 * generator that produced it (`rps`, baseline error probability `p0`, log-normal latency
 * `median_ms` and `sigma`, the injected `fault`, and for error-rate faults `sprt_seconds`, Wald's
 * expected detection time under H1 at alpha = beta = 0.01). Extra keys are kept: generators may
 * record more than the examples do.
 */
export const GeneratorFaultSchema = z.looseObject({
  kind: z.string().min(1),
});

/** Generator parameters of one scenario. */
export const GeneratorMetaSchema = z.looseObject({
  rps: z.number().finite().nonnegative(),
  p0: z.number().min(0).max(1),
  median_ms: z.number().finite().positive(),
  sigma: z.number().finite().nonnegative(),
  fault: z.union([GeneratorFaultSchema, z.null()]),
  sprt_seconds: z.number().finite().positive().optional(),
});

/** The whole `_meta.json` file: scenario name → parameters. */
export const GeneratorMetaFileSchema = z.record(z.string().min(1), GeneratorMetaSchema);

/** Generator parameters of one scenario. */
export type GeneratorMeta = z.infer<typeof GeneratorMetaSchema>;
/** The injected fault, `null` for a healthy scenario. */
export type GeneratorFault = z.infer<typeof GeneratorFaultSchema>;
