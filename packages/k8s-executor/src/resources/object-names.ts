import { RollgateError } from '@rollgate/core';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks a factory option that names a Kubernetes object: namespaces are DNS labels (63
 * characters), Deployments and Leases DNS subdomains (253).
 *
 * @throws RollgateError `CONFIG_INVALID` naming the option and the rule.
 */
export function requireObjectName(
  option: string,
  value: unknown,
  kind: 'label' | 'subdomain',
  component: string,
): string {
  const ok =
    typeof value === 'string' &&
    (kind === 'label' ? DNS_LABEL.test(value) : value.length <= 253 && DNS_SUBDOMAIN.test(value));
  if (!ok) {
    const rule =
      kind === 'label'
        ? 'a DNS label: lower-case letters, digits and "-", at most 63 characters'
        : 'a DNS subdomain: lower-case letters, digits, "-" and ".", at most 253 characters';
    throw new RollgateError(
      'CONFIG_INVALID',
      `Option ${option} must be ${rule}; got ${JSON.stringify(value)}.`,
      {
        component,
      },
    );
  }
  return value;
}

/**
 * Checks an optional numeric option.
 *
 * @throws RollgateError `CONFIG_INVALID` naming the option and the accepted range.
 */
export function requireNumber(
  option: string,
  value: unknown,
  fallback: number,
  range: { readonly min: number; readonly integer?: boolean },
  component: string,
): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= range.min &&
    (range.integer !== true || Number.isInteger(value));
  if (!ok) {
    throw new RollgateError(
      'CONFIG_INVALID',
      `Option ${option} must be ${range.integer ? 'an integer' : 'a number'} >= ${range.min}; got ${JSON.stringify(value)}.`,
      { component },
    );
  }
  return value;
}
