/**
 * Escapes text for HTML and SVG content and attribute values (double- or single-quoted). Every
 * string taken from an audit record goes through it: a record can carry hostile text (a label
 * value, a reason quoting a backend reply) and the report must render it as text.
 */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
