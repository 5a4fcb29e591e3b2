import { type Agent, request } from 'node:http';

/**
 * How one request ended: `answered` with its status once the body is read, `broken` when the
 * response stream failed midway, `failed` when no answer came (refused, timed out).
 */
export type RequestEnd =
  | { readonly kind: 'answered'; readonly status: number }
  | { readonly kind: 'broken' }
  | { readonly kind: 'failed' };

/** One GET to `url` over `agent`, 5 s timeout; never rejects. */
export function sendRequest(url: string, agent: Agent): Promise<RequestEnd> {
  return new Promise<RequestEnd>((resolve) => {
    const req = request(url, { agent, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0 }));
      res.on('error', () => resolve({ kind: 'broken' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ kind: 'failed' }));
    req.end();
  });
}
