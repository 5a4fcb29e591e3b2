import { type ChildProcess, spawn } from 'node:child_process';

/** A span of time the machine was loaded (epoch ms). */
export interface LoadSpan {
  readonly from: number;
  readonly to: number;
  readonly processes: number;
}

/**
 * Host load: busy-loop Node processes (`for(;;){}`) that take the CPU from everything else on
 * the machine, as other work on a shared host does. Each is started and killed by its own pid;
 * `stopAll` kills whatever still runs (on the soak's end or interruption).
 */
export class HostLoad {
  readonly #running = new Set<ChildProcess>();
  readonly #spans: LoadSpan[] = [];

  /** Loads the machine with `processes` busy loops for `seconds`; resolves when they are killed. */
  async hold(processes: number, seconds: number, signal: AbortSignal): Promise<void> {
    const from = Date.now();
    const children = Array.from({ length: processes }, () => {
      const child = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
      child.on('error', () => undefined);
      this.#running.add(child);
      return child;
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    for (const child of children) this.#kill(child);
    this.#spans.push({ from, to: Date.now(), processes });
  }

  #kill(child: ChildProcess): void {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.#running.delete(child);
  }

  /** The spans so far (a hold is recorded when it ends). */
  spans(): readonly LoadSpan[] {
    return [...this.#spans];
  }

  stopAll(): void {
    for (const child of [...this.#running]) this.#kill(child);
  }
}
