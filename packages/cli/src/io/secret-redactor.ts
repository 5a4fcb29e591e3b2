import { createSecretRedactor, REDACTED, type Redact } from '@rollgate/core/redact';
import type { Io, OutputStream } from './io';

/**
 * The CLI's output redaction. The redactor is the one of `@rollgate/core/node`
 * (`createSecretRedactor`, re-exported here as `createRedactor`): the same rules for stdout and
 * stderr as for every file a watch writes. It is imported from `@rollgate/core/redact`, its
 * dependency-free entry point, so `--help` loads nothing else.
 */
export { createSecretRedactor as createRedactor, REDACTED };

/** The same Io, with every write to stdout and stderr passed through `redact`. */
export function redactingIo(io: Io, redact: Redact): Io {
  const wrap = (stream: OutputStream): OutputStream => ({
    write: (text) => stream.write(redact(text)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  });
  return { ...io, stdout: wrap(io.stdout), stderr: wrap(io.stderr) };
}
