// Pure (no node: imports): the in-memory StateStore in @rollgate/core/testing applies the same
// key rules, so a key that works in tests works with files.

/** Longest encoded file name stem; with `.json` it stays under the usual 255-byte limit. */
const MAX_ENCODED_LENGTH = 240;

/** The outcome of checking a state key: its file name stem, or why it is refused. */
export type StateKeyCheck =
  | { readonly ok: true; readonly stem: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks a StateStore key and turns it into a safe, reversible file name stem. Letters, digits,
 * `-`, `_` and inner `.` are kept; every other character is percent-encoded (UTF-8), so `/`,
 * `\` and `:` can never reach the file system as separators. Refused outright: empty keys,
 * control characters, `.`/`..` path segments and absolute-looking keys, which only a path
 * traversal attempt would produce.
 */
export function checkStateKey(key: unknown): StateKeyCheck {
  if (typeof key !== 'string' || key.length === 0)
    return { ok: false, problem: 'a state key must be a non-empty string' };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\u0000-\u001f\u007f]/.test(key))
    return { ok: false, problem: 'a state key must not contain control characters' };
  if (/^[\\/]|^[A-Za-z]:[\\/]/.test(key))
    return { ok: false, problem: 'a state key must not look like an absolute path' };
  if (key.split(/[\\/]/).some((segment) => segment === '..' || segment === '.')) {
    return { ok: false, problem: 'a state key must not contain "." or ".." path segments (path traversal)' };
  }
  let encoded: string;
  try {
    encoded = encodeURIComponent(key).replace(
      /[!~*'()]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  } catch {
    return { ok: false, problem: 'a state key must be well-formed Unicode' };
  }
  if (encoded.startsWith('.')) encoded = `%2E${encoded.slice(1)}`;
  if (encoded.length > MAX_ENCODED_LENGTH) {
    return { ok: false, problem: `a state key must encode to at most ${MAX_ENCODED_LENGTH} characters` };
  }
  return { ok: true, stem: encoded };
}

/**
 * The key a file name stem made by {@link checkStateKey} stands for, or null when the stem is
 * not one it could have made (a temporary or foreign file in the directory).
 */
export function stateKeyFromStem(stem: string): string | null {
  let key: string;
  try {
    key = decodeURIComponent(stem);
  } catch {
    return null;
  }
  const check = checkStateKey(key);
  return check.ok && check.stem === stem ? key : null;
}
