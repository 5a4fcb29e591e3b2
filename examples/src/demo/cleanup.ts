/**
 * What the demo started, to be stopped in reverse order however it ends (success, failure,
 * Ctrl-C). Each step is bounded and a failing step never stops the others.
 */
export class Cleanup {
  readonly #steps: { readonly label: string; readonly run: () => Promise<unknown> | unknown }[] = [];
  #ran: Promise<string[]> | undefined;

  /** Registers a step; steps run last-registered first. */
  add(label: string, run: () => Promise<unknown> | unknown): void {
    this.#steps.push({ label, run });
  }

  /** Runs every step once (later calls wait for the first); resolves with the steps that failed. */
  run(timeoutMs = 10_000): Promise<string[]> {
    this.#ran ??= (async () => {
      const failed: string[] = [];
      for (const step of [...this.#steps].reverse()) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const limit = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        });
        try {
          const outcome = await Promise.race([Promise.resolve().then(step.run), limit]);
          if (outcome === 'timeout') failed.push(`${step.label} (timed out)`);
        } catch (error) {
          failed.push(`${step.label} (${error instanceof Error ? error.message : String(error)})`);
        } finally {
          clearTimeout(timer);
        }
      }
      return failed;
    })();
    return this.#ran;
  }
}
