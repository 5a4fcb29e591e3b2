/** Header values as undici and node:http hand them over. */
export type ReplyHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The first value of a header, looked up case-insensitively. */
export function headerValue(headers: ReplyHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}
