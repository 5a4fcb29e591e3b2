/** What one health request produced. */
export type ProbeOutcome =
  | { readonly kind: 'reply'; readonly status: number; readonly body: string }
  | { readonly kind: 'error'; readonly message: string; readonly timedOut?: boolean };

/** Whether a probe passed, and a one-line, secret-free account of what it saw. */
export interface ProbeVerdict {
  readonly pass: boolean;
  readonly observation: string;
}

const SNIPPET = 120;

/**
 * The pure classification of one health probe: a pass needs a 2xx status and, when
 * `expectBody` is set, a body that contains the string or matches the RegExp. Anything else
 * (3xx included: redirects are not followed) is a failure described for the gate's report.
 */
export function classifyProbe(
  displayUrl: string,
  outcome: ProbeOutcome,
  expectBody?: string | RegExp,
): ProbeVerdict {
  if (outcome.kind === 'error') {
    return { pass: false, observation: `${displayUrl} -> no reply (${outcome.message})` };
  }
  const { status, body } = outcome;
  const seen = `${displayUrl} -> ${status}${body.length > 0 ? ` ${snippet(body)}` : ''}`;
  if (status < 200 || status > 299) return { pass: false, observation: seen };
  if (expectBody !== undefined && !bodyMatches(body, expectBody)) {
    const wanted =
      typeof expectBody === 'string'
        ? `to contain ${JSON.stringify(expectBody)}`
        : `to match ${String(expectBody)}`;
    return { pass: false, observation: `${seen}; expected the body ${wanted}` };
  }
  return { pass: true, observation: seen };
}

function bodyMatches(body: string, expect: string | RegExp): boolean {
  if (typeof expect === 'string') return body.includes(expect);
  expect.lastIndex = 0;
  return expect.test(body);
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > SNIPPET ? `${flat.slice(0, SNIPPET)}…` : flat);
}
