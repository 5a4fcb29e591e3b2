import { Buffer } from 'node:buffer';

/**
 * Decodes canonical base64 only. Node's decoder ignores stray characters and the unused bits of
 * the last symbol, so two different texts can decode to the same bytes; a hand-edited
 * signature must never still verify, hence the round-trip check. Returns null when `text` is
 * not the canonical encoding of anything.
 */
export function decodeStrictBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.length > 0 && bytes.toString('base64') === text ? bytes : null;
}
