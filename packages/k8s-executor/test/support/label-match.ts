type Requirement =
  | { op: 'eq' | 'ne'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'absent'; key: string };

function splitTop(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Parses a `labelSelector` query value; throws on syntax the API server would reject (400). */
export function parseSelector(selector: string): Requirement[] {
  return splitTop(selector).map((part): Requirement => {
    let m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) {
      return {
        op: m[2] as 'in' | 'notin',
        key: m[1] as string,
        values: (m[3] as string).split(',').map((v) => v.trim()),
      };
    }
    m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(part);
    if (m) return { op: m[2] === '!=' ? 'ne' : 'eq', key: m[1] as string, value: m[3] as string };
    m = /^!([^\s!=()]+)$/.exec(part);
    if (m) return { op: 'absent', key: m[1] as string };
    m = /^([^\s!=()]+)$/.exec(part);
    if (m) return { op: 'exists', key: m[1] as string };
    throw new Error(`unable to parse requirement: ${part}`);
  });
}

/** Whether `labels` satisfy every requirement. */
export function matches(
  requirements: readonly Requirement[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return requirements.every((r) => {
    const v = labels[r.key];
    switch (r.op) {
      case 'eq':
        return v === r.value;
      case 'ne':
        return v !== r.value;
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
      case 'exists':
        return v !== undefined;
      default:
        return v === undefined;
    }
  });
}
