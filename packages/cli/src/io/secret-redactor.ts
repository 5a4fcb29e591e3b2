import type { Io, OutputStream } from './io';

/** Shorter values would redact ordinary words; they are not treated as secrets. */
export const MIN_SECRET_LENGTH = 4;

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * A function that replaces every known secret in a text with `[redacted]`, including the forms a
 * secret takes in URLs and basic-auth headers. The last line of defence: adapters already keep
 * secrets out of their messages, and this makes sure no CLI output ever shows one anyway.
 */
export function createRedactor(secrets: Iterable<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(Buffer.from(secret).toString('base64'));
  }
  const sorted = [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const form of sorted) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    return out;
  };
}

/** The same Io, with every write to stdout and stderr passed through `redact`. */
export function redactingIo(io: Io, redact: (text: string) => string): Io {
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
