/** Quotes one argument for a POSIX shell, leaving plain words as they are. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_/.,:@%+=-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
