import type { Io } from '../../src/io/io';

/** An Io that records what a command writes, for in-process runs of `main`. */
export interface MemoryIo extends Io {
  readonly out: () => string;
  readonly err: () => string;
  /** Fires the interrupt handlers as a signal would. */
  interrupt(signal: 'SIGINT' | 'SIGTERM'): void;
}

export function memoryIo(options: {
  cwd: string;
  env?: Record<string, string | undefined>;
  tty?: boolean;
  columns?: number;
}): MemoryIo {
  let out = '';
  let err = '';
  const handlers = new Set<(signal: 'SIGINT' | 'SIGTERM') => void>();
  return {
    stdout: {
      write: (t) => {
        out += t;
      },
      isTTY: options.tty ?? false,
      columns: options.columns,
    },
    stderr: {
      write: (t) => {
        err += t;
      },
      isTTY: false,
    },
    env: options.env ?? {},
    cwd: options.cwd,
    onInterrupt: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    out: () => out,
    err: () => err,
    interrupt: (signal) => {
      for (const h of handlers) h(signal);
    },
  };
}
