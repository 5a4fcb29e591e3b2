import type { LabelSelector } from './kube-objects';

// Label syntax from apimachinery validation: an optional DNS-subdomain prefix and a name of at
// most 63 characters; values are empty or name-shaped. Anything else could change the meaning of
// the selector string (",", "=", "!", "(", spaces), so it is refused rather than escaped.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when `key` is a valid label key (`[prefix/]name`). */
export function isValidLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) return NAME.test(key);
  const prefix = key.slice(0, slash);
  const name = key.slice(slash + 1);
  return prefix.length <= 253 && PREFIX.test(prefix) && NAME.test(name);
}

/** True when `value` is a valid label value (empty is allowed). */
export function isValidLabelValue(value: string): boolean {
  return value === '' || NAME.test(value);
}

/**
 * Renders a `metav1.LabelSelector` in the `labelSelector` query syntax (`a=b,c in (d,e),!f`),
 * the way `metav1.LabelSelectorAsSelector` does. Keys and values come from the API server,
 * which already validated them.
 */
export function formatLabelSelector(selector: LabelSelector): string {
  const parts: string[] = [];
  for (const key of Object.keys(selector.matchLabels).sort()) {
    parts.push(`${key}=${selector.matchLabels[key]}`);
  }
  for (const e of selector.matchExpressions) {
    const values = [...e.values].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/**
 * Renders equality matchers (`{ app: 'web', 'pod-template-hash': 'abc' }`) as a label selector,
 * or explains which key or value is not valid label syntax.
 */
export function equalitySelector(matchers: Readonly<Record<string, string>>): string | { invalid: string } {
  const parts: string[] = [];
  for (const key of Object.keys(matchers).sort()) {
    const value = matchers[key] ?? '';
    if (!isValidLabelKey(key))
      return { invalid: `label key ${JSON.stringify(key)} is not a valid label key` };
    if (!isValidLabelValue(value)) {
      return { invalid: `label value ${JSON.stringify(value)} for key ${key} is not a valid label value` };
    }
    parts.push(`${key}=${value}`);
  }
  return parts.join(',');
}
