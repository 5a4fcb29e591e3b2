import { CONTRACT_LIMITS, defaultSignals, type SignalInput } from '@rollgate/core';
import type { ContractOverrides } from '@rollgate/core/scenarios';

/** One contract setting calibration tries: what differs from the user's contract, and a label. */
export interface Candidate {
  readonly label: string;
  /** The settings that differ from the configured contract, for the suggestion snippet. */
  readonly changes: Readonly<Record<string, unknown>>;
  readonly overrides: ContractOverrides;
}

/**
 * The grid calibration searches: sample floors (x1, x2), warm-up windows (10, 15, 30 s) and
 * alpha (as configured, halved). Small on purpose: each candidate replays everything again.
 */
export function candidateGrid(base: ContractOverrides): Candidate[] {
  const alpha = typeof base.alpha === 'number' ? base.alpha : 0.01;
  const warmup = typeof base.warmupSeconds === 'number' ? base.warmupSeconds : 15;
  const signals = (base.signals as SignalInput[] | undefined) ?? defaultSignals();
  const out: Candidate[] = [];
  for (const floor of [1, 2]) {
    for (const w of [...new Set([warmup, 10, 15, 30])].sort((a, b) => a - b)) {
      // Halving alpha must stay within the contract's bounds (a variant outside them is refused).
      for (const a of [alpha, alpha / 2].filter((x) => x >= CONTRACT_LIMITS.alpha.min)) {
        const scaled =
          floor === 1
            ? signals
            : signals.map((s) => ({ ...s, minSamples: Math.max(1, (s.minSamples ?? 0) * floor) }));
        const changes: Record<string, unknown> = {};
        if (a !== alpha) changes.alpha = a;
        if (w !== warmup) changes.warmupSeconds = w;
        if (floor !== 1)
          changes.minSamples = `x${floor} (${scaled.map((s) => `${s.id}: ${s.minSamples ?? 0}`).join(', ')})`;
        out.push({
          label: Object.keys(changes).length === 0 ? 'as configured' : describe(changes),
          changes,
          overrides: {
            ...base,
            alpha: a,
            warmupSeconds: w,
            coldStartSeconds: Math.max(
              w,
              typeof base.coldStartSeconds === 'number' ? base.coldStartSeconds : 60,
            ),
            ...(floor === 1 && base.signals === undefined ? {} : { signals: scaled }),
          },
        });
      }
    }
  }
  // The configured contract first.
  return out.sort((x, y) => Number(x.label !== 'as configured') - Number(y.label !== 'as configured'));
}

function describe(changes: Record<string, unknown>): string {
  return Object.entries(changes)
    .map(([k, v]) => `${k} ${typeof v === 'string' ? v.split(' ')[0] : String(v)}`)
    .join(', ');
}
