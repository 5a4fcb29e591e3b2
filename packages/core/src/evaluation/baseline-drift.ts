import { show, showRate } from '../rules/verdict';
import { estimateDrift } from '../stats/drift';
import type { CountInterval, SignalBaseline } from './watch-state';

/**
 * The drift check of a count baseline (docs/statistics.md, "Drifting baselines"): the healthy
 * part of the pre-deploy window cut into blocks of `DRIFT_BLOCK_MS`, and the relative spread of
 * the level between them beyond binomial noise (stats/drift.ts), which the baseline test adds to
 * the baseline's own uncertainty (rules/sequential-count.ts). Absent on a window whose blocks
 * agree with one rate, so a stationary baseline's test is unchanged.
 */

/** Block length: long enough to average step noise out, short enough to see a 20 min cycle. */
export const DRIFT_BLOCK_MS = 300_000;
/**
 * An elevated stretch the health check found and saw end, at most this many times the rest of
 * the window, is as well explained by a drift's high as by an incident (see {@link driftWindow}).
 * 3: a drift of +-50-60% has its high 3-4 times its low, and the stretch the scan cuts out of
 * it reads 2-3x the rest (7 of 16 false rollbacks in 300 `drift-stress-keep` draws read
 * 2.05-2.94x at 2). A previous bad release is a step of 4x or more (docs/statistics.md,
 * "Drifting baselines stressed").
 */
export const DRIFT_EPISODE_RATIO = 3;

/** The drift field of a baseline, or nothing when the window shows none. */
export function baselineDrift(
  window: readonly CountInterval[],
  stepMs: number,
  dispersion: number,
): Pick<SignalBaseline, 'drift'> {
  if (window.length === 0 || !(stepMs > 0)) return {};
  const blocks = Math.floor((window.length * stepMs) / DRIFT_BLOCK_MS);
  const estimate = estimateDrift(window, blocks, dispersion);
  if (!(estimate.spread > 0)) return {};
  return {
    drift: {
      spread: estimate.spread,
      blocks: estimate.blocks,
      lowRate: estimate.lowRate,
      highRate: estimate.highRate,
      pValue: estimate.pValue,
    },
  };
}

/**
 * The intervals the drift is measured on: the healthy part of the window, or the whole window
 * when the health check's elevated stretch is over and at most `DRIFT_EPISODE_RATIO` times the
 * rest. A drift's high half an hour before the deploy reads as such a stretch, and judging
 * against the rest alone would keep only the drift's low; a previous bad release or an incident
 * is many times the rest (or still on at the deploy) and stays out.
 */
export function driftWindow(
  intervals: readonly CountInterval[],
  clean: readonly CountInterval[],
  health: SignalBaseline['health'],
): readonly CountInterval[] {
  const episode = health?.episode;
  if (!episode || episode.ongoing) return clean;
  return episode.rate <= DRIFT_EPISODE_RATIO * episode.outsideRate ? intervals : clean;
}

/** How a drift is said in reasons: `the baseline drifts (5-min rates 0.33%-0.52%, p 2.1e-5): its level +-14% beyond binomial noise`. */
export function describeDrift(drift: NonNullable<SignalBaseline['drift']>): string {
  return `the baseline drifts (${Math.round(DRIFT_BLOCK_MS / 60_000)}-min rates ${showRate(drift.lowRate)}-${showRate(drift.highRate)}, p ${drift.pValue.toPrecision(2)}): its level +-${show(Math.round(drift.spread * 1000) / 10)}% beyond binomial noise, weighed as fewer requests`;
}
