/**
 * A mistake on the command line (an unknown flag, a missing value, a bad time). The CLI prints
 * the message with a pointer to `--help` and exits 2; nothing has been done yet.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose help to point at, when known. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}
