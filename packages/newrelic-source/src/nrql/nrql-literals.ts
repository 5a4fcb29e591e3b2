import { RollgateError } from '@rollgate/core';

const COMPONENT = 'newrelic-source';

// Control characters have no documented escape in NRQL; refusing them is the only way to be sure
// a value cannot end the literal or the line it sits in.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to detect them
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Quotes `value` as an NRQL string literal: single quotes, with `\` and `'` escaped by a
 * backslash, so a value containing quotes stays one literal and cannot change the query.
 * Throws `SOURCE_BAD_QUERY` for control characters (NRQL documents no escape for them).
 */
export function nrqlString(value: string): string {
  if (CONTROL_CHARACTERS.test(value)) {
    throw new RollgateError(
      'SOURCE_BAD_QUERY',
      'A value interpolated into NRQL contains a control character (newline, tab, NUL, ...); NRQL has no escape for it. Remove it from the selector value.',
      { component: COMPONENT },
    );
  }
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Quotes `name` as an NRQL identifier (attribute, event type) with backticks, which NRQL needs
 * for names with spaces, hyphens or reserved words. NRQL documents no escape for a backtick
 * inside one, so such names (and empty or control-character names) throw `SOURCE_BAD_QUERY`.
 */
export function nrqlIdentifier(name: string): string {
  const problem = identifierProblem(name);
  if (problem !== undefined) {
    throw new RollgateError('SOURCE_BAD_QUERY', `NRQL identifier ${JSON.stringify(name)} ${problem}.`, {
      component: COMPONENT,
    });
  }
  return `\`${name}\``;
}

/** Why `name` cannot be an NRQL identifier, or undefined when it can. */
export function identifierProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.includes('`')) return 'contains a backtick, which NRQL cannot escape inside an identifier';
  if (CONTROL_CHARACTERS.test(name)) return 'contains a control character';
  return undefined;
}

/**
 * Formats a finite number as an NRQL numeric literal in plain decimal notation (NRQL documents
 * no exponent syntax), trimmed of trailing zeros.
 */
export function nrqlNumber(value: number): string {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21) {
    throw new RollgateError('SOURCE_BAD_QUERY', `Cannot write ${value} as an NRQL number.`, {
      component: COMPONENT,
    });
  }
  const plain = String(value);
  if (!/e/i.test(plain)) return plain;
  const fixed = value.toFixed(20);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}
