/**
 * Runs tasks one at a time, in call order. Cutovers on one executor go through it, so two
 * concurrent calls (a retry racing the original) decide one after the other: the second sees
 * the first one's switch and answers `changed: false` instead of switching again.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task, task);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
