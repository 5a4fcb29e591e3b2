import type { PodView } from '../resources/kube-objects';

interface Seen {
  readonly count: number;
  readonly at: number;
}

/** What one observation yields: restart increases per pod uid, and how many were baselined. */
export interface RestartObservation {
  readonly increaseByPod: ReadonlyMap<string, number>;
  /** Containers seen for the first time whose earlier restarts could not be placed in time. */
  readonly baselined: number;
}

const FORGET_AFTER_MS = 60 * 60 * 1000;

/**
 * Turns cumulative `restartCount`s into increases per step. The API only has the current
 * count, so the tracker remembers each container's last count:
 * - seen before: the increase since then;
 * - first seen, pod started within the step: all its restarts happened in the step;
 * - first seen, older pod: its count becomes the baseline (0 now) and is reported as baselined.
 * Entries not seen for an hour are forgotten.
 */
export class RestartTracker {
  readonly #seen = new Map<string, Seen>();

  observe(pods: readonly PodView[], now: number, stepMs: number): RestartObservation {
    const increaseByPod = new Map<string, number>();
    let baselined = 0;
    for (const pod of pods) {
      let increase = 0;
      for (const c of pod.containers) {
        const key = `${pod.uid}/${c.name}`;
        const prev = this.#seen.get(key);
        if (prev !== undefined) {
          increase += Math.max(0, c.restartCount - prev.count);
        } else if (pod.startedAt !== undefined && pod.startedAt > now - stepMs) {
          increase += c.restartCount;
        } else if (c.restartCount > 0) {
          baselined++;
        }
        this.#seen.set(key, { count: c.restartCount, at: now });
      }
      increaseByPod.set(pod.uid, increase);
    }
    for (const [key, seen] of this.#seen) if (seen.at < now - FORGET_AFTER_MS) this.#seen.delete(key);
    return { increaseByPod, baselined };
  }
}
