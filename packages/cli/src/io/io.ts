/** Where a command writes: stdout or stderr, and what the terminal can do. */
export interface OutputStream {
  write(text: string): void;
  /** True when a person is watching a terminal: progress may redraw in place. */
  readonly isTTY: boolean;
  /** Terminal width in characters, when known. */
  readonly columns?: number | undefined;
}

/** A way to be told about Ctrl-C and `kill`: returns the function that stops listening. */
export type InterruptSource = (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => () => void;

/**
 * Everything a command touches outside its arguments, injected so commands run in-process in
 * tests exactly as they do from the shell.
 */
export interface Io {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths on the command line are resolved against. */
  readonly cwd: string;
  readonly onInterrupt: InterruptSource;
}

/** The real process: its streams, environment, working directory and signals. */
export function processIo(): Io {
  const stream = (s: NodeJS.WriteStream): OutputStream => ({
    write: (text) => {
      s.write(text);
    },
    get isTTY() {
      return s.isTTY === true;
    },
    get columns() {
      return s.columns;
    },
  });
  return {
    stdout: stream(process.stdout),
    stderr: stream(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    onInterrupt: (handler) => {
      // The first signal lets the command stop cleanly; a second one exits at once.
      let received = 0;
      const on = (signal: 'SIGINT' | 'SIGTERM') => {
        received += 1;
        if (received > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
        handler(signal);
      };
      const onInt = () => on('SIGINT');
      const onTerm = () => on('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.removeListener('SIGINT', onInt);
        process.removeListener('SIGTERM', onTerm);
      };
    },
  };
}
