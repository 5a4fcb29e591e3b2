/**
 * A protocol-faithful NerdGraph double, built from the wire facts only
 * (docs/adapters/newrelic.md, "How it is tested"): a real HTTP server on 127.0.0.1 that
 * - checks the `API-Key` header (wrong or missing → HTTP 401 with
 *   `extensions.error_code: "BAD_API_KEY"`) and the request shape (POST /graphql, JSON, a GraphQL
 *   document that takes the NRQL only through `$nrql`, `variables.accountId`/`nrql`/`timeout`);
 *   a shape violation is recorded in `violations` and answered 400;
 * - evaluates the NRQL subset of `nrql-evaluator.ts` over its stored events and answers
 *   `{"data":{"actor":{"account":{"nrql":{"results":[...]}}}}}`, or the documented NRQL syntax
 *   error (HTTP 200, `errors[]`, `nrql: null`);
 * - can instead serve any canned reply (see `replies`), hang, or echo the request headers;
 * - records every request and the largest number it saw in flight at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AliasedPercentileShape,
  evaluateNrql,
  type NrEvent,
  NrqlSyntaxError,
  parseNrql,
} from './nrql-evaluator';

/** A reply to send as is. */
export interface CannedReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

/** What the double does with the next request. */
export type Behaviour =
  | { readonly kind: 'evaluate' }
  | { readonly kind: 'reply'; readonly reply: CannedReply }
  | { readonly kind: 'hang' }
  /** Answers `status` with a GraphQL error whose message quotes every request header. */
  | { readonly kind: 'echo-headers'; readonly status: number };

/** One request as the double received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly rawBody: string;
  readonly query: string | undefined;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
}

export interface NerdGraphDoubleOptions {
  readonly apiKey: string;
  readonly accountId: number;
  readonly events?: readonly NrEvent[];
  /** Delay before each answer (ms), so concurrent requests overlap. */
  readonly latencyMs?: number;
  readonly aliasedPercentile?: AliasedPercentileShape;
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** Canned replies for every documented failure and the documented empty forms. */
export const replies = {
  results(rows: unknown): CannedReply {
    return {
      status: 200,
      headers: JSON_HEADERS,
      body: JSON.stringify({ data: { actor: { account: { nrql: { results: rows } } } } }),
    };
  },
  graphqlError(options: {
    message: string;
    errorClass?: string;
    errorCode?: string;
    partialRows?: unknown[];
    status?: number;
    headers?: Record<string, string>;
  }): CannedReply {
    const extensions: Record<string, string> = {};
    if (options.errorClass !== undefined) extensions.errorClass = options.errorClass;
    if (options.errorCode !== undefined) extensions.error_code = options.errorCode;
    const nrql = options.partialRows === undefined ? null : { results: options.partialRows };
    return {
      status: options.status ?? 200,
      headers: { ...JSON_HEADERS, ...options.headers },
      body: JSON.stringify({
        data: { actor: { account: { nrql } } },
        errors: [{ message: options.message, path: ['actor', 'account', 'nrql'], extensions }],
      }),
    };
  },
  nrqlSyntaxError(): CannedReply {
    return replies.graphqlError({
      message: "NRQL Syntax Error: Error at line 1 position 7, unexpected 'FORM'",
    });
  },
  badApiKey(): CannedReply {
    return {
      status: 401,
      headers: JSON_HEADERS,
      body: JSON.stringify({
        errors: [{ message: 'Invalid API key', extensions: { error_code: 'BAD_API_KEY' } }],
      }),
    };
  },
  rateLimited(retryAfter?: string): CannedReply {
    return {
      status: 429,
      headers: { ...JSON_HEADERS, ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }) },
      body: JSON.stringify({
        errors: [{ message: 'Too many requests', extensions: { errorClass: 'TOO_MANY_REQUESTS' } }],
      }),
    };
  },
  status(status: number, headers: Record<string, string> = {}): CannedReply {
    return {
      status,
      headers: { 'content-type': 'text/html', ...headers },
      body: `<html><body><h1>${status}</h1></body></html>`,
    };
  },
  html(): CannedReply {
    return {
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<!doctype html><html><body>Maintenance</body></html>',
    };
  },
  malformedJson(): CannedReply {
    return {
      status: 200,
      headers: JSON_HEADERS,
      body: '{"data": {"actor": {"account": {"nrql": {"results": [{"requests": 1',
    };
  },
} as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class NerdGraphDouble {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  events: NrEvent[];
  latencyMs: number;
  aliasedPercentile: AliasedPercentileShape;
  #behaviour: Behaviour = { kind: 'evaluate' };
  readonly #once: Behaviour[] = [];
  #inFlight = 0;
  #maxInFlight = 0;
  readonly #server: Server;
  readonly #options: NerdGraphDoubleOptions;
  readonly #hanging = new Set<ServerResponse>();

  private constructor(server: Server, options: NerdGraphDoubleOptions) {
    this.#server = server;
    this.#options = options;
    this.events = [...(options.events ?? [])];
    this.latencyMs = options.latencyMs ?? 0;
    this.aliasedPercentile = options.aliasedPercentile ?? 'threshold';
  }

  static async start(options: NerdGraphDoubleOptions): Promise<NerdGraphDouble> {
    let double: NerdGraphDouble | undefined;
    const server = createServer((req, res) => {
      double?.handle(req, res);
    });
    double = new NerdGraphDouble(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return double;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/graphql`;
  }

  /** The most requests it has seen in flight at once. */
  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Serves `behaviour` for every request from now on. */
  serve(behaviour: Behaviour): void {
    this.#behaviour = behaviour;
  }

  /** Serves `behaviour` for the next request only (queued in order), then the standing one. */
  serveOnce(behaviour: Behaviour): void {
    this.#once.push(behaviour);
  }

  resetCounters(): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.#maxInFlight = 0;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.#inFlight += 1;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    let counted = true;
    const done = (): void => {
      if (!counted) return;
      counted = false;
      this.#inFlight -= 1;
      this.#hanging.delete(res);
    };
    res.on('finish', done);
    res.on('close', done);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        parsed = undefined;
      }
      const body = isRecord(parsed) ? parsed : undefined;
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: { ...req.headers },
        rawBody,
        query: typeof body?.query === 'string' ? body.query : undefined,
        variables: isRecord(body?.variables) ? body.variables : undefined,
      };
      this.requests.push(recorded);
      const behaviour = this.#once.shift() ?? this.#behaviour;
      if (behaviour.kind === 'hang') {
        this.#hanging.add(res);
        return;
      }
      const reply = this.answer(behaviour, recorded);
      const send = (): void => {
        if (res.destroyed) return;
        res.writeHead(reply.status, { ...reply.headers });
        res.end(reply.body);
      };
      if (this.latencyMs > 0) setTimeout(send, this.latencyMs);
      else send();
    });
  }

  private answer(behaviour: Behaviour, request: RecordedRequest): CannedReply {
    if (behaviour.kind === 'reply') return behaviour.reply;
    if (behaviour.kind === 'echo-headers') {
      const echoed = Object.entries(request.headers)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join('; ');
      return {
        status: behaviour.status,
        headers: { ...JSON_HEADERS, 'x-echo-api-key': String(request.headers['api-key']) },
        body: JSON.stringify({
          errors: [
            {
              message: `Request rejected. Received headers: ${echoed}`,
              extensions: { error_code: 'BAD_API_KEY', request: { headers: request.headers } },
            },
          ],
        }),
      };
    }
    const key = request.headers['api-key'];
    if (key !== this.#options.apiKey) return replies.badApiKey();
    const violation = this.shapeViolation(request);
    if (violation !== undefined) {
      this.violations.push(violation);
      return {
        status: 400,
        headers: JSON_HEADERS,
        body: JSON.stringify({ errors: [{ message: `double: ${violation}` }] }),
      };
    }
    const nrql = request.variables?.nrql as string;
    try {
      const query = parseNrql(nrql);
      return replies.results(evaluateNrql(query, this.events, this.aliasedPercentile));
    } catch (error) {
      if (error instanceof NrqlSyntaxError) return replies.graphqlError({ message: error.message });
      throw error;
    }
  }

  private shapeViolation(request: RecordedRequest): string | undefined {
    if (request.method !== 'POST') return `method ${request.method}, expected POST`;
    if (request.url !== '/graphql') return `path ${request.url}, expected /graphql`;
    const contentType = request.headers['content-type'];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/json')) {
      return `content-type ${String(contentType)}, expected application/json`;
    }
    const { query, variables } = request;
    if (query === undefined || variables === undefined) return 'body is not {query, variables}';
    if (!/\$nrql\s*:\s*Nrql!/.test(query) || !/nrql\(\s*query:\s*\$nrql\b/.test(query)) {
      return 'the document does not take the NRQL through $nrql';
    }
    if (!/\$accountId\s*:\s*Int!/.test(query) || !/account\(\s*id:\s*\$accountId\s*\)/.test(query)) {
      return 'the document does not take the account through $accountId';
    }
    if (!/\{\s*results\s*\}/.test(query)) return 'the document does not select results';
    if (typeof variables.nrql !== 'string' || variables.nrql.length === 0)
      return 'variables.nrql is not a string';
    if (query.includes(variables.nrql)) return 'the NRQL is spliced into the GraphQL document';
    if (variables.accountId !== this.#options.accountId)
      return `variables.accountId ${String(variables.accountId)}`;
    const { timeout } = variables;
    if (
      timeout !== undefined &&
      (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 5 || timeout > 120)
    ) {
      return `variables.timeout ${String(timeout)} is outside 5..120 seconds`;
    }
    return undefined;
  }
}
