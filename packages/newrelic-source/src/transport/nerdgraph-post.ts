import { type Dispatcher, request } from 'undici';
import type { ReplyHeaders } from '../nerdgraph/classify';

/** A NerdGraph reply as received: status, headers and the body decoded as UTF-8. */
export interface NerdGraphReply {
  readonly status: number;
  readonly headers: ReplyHeaders;
  readonly body: string;
}

/** The reply body grew past the configured limit; the rest was not read. */
export class ReplyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`reply body exceeds ${limitBytes} bytes`);
    this.name = 'ReplyTooLargeError';
  }
}

/** One POST to NerdGraph. */
export interface NerdGraphPost {
  readonly dispatcher: Dispatcher;
  readonly endpoint: URL;
  readonly apiKey: string;
  readonly body: string;
  readonly signal: AbortSignal;
  readonly maxResponseBytes: number;
}

/**
 * Sends one GraphQL request and reads the whole reply, whatever its status. Rejects on network
 * failure, abort, or a body over `maxResponseBytes`; the caller turns those into results.
 */
export async function postNerdGraph(post: NerdGraphPost): Promise<NerdGraphReply> {
  const response = await request(post.endpoint, {
    method: 'POST',
    dispatcher: post.dispatcher,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'api-key': post.apiKey,
      'user-agent': 'rollgate-newrelic-source',
    },
    body: post.body,
    signal: post.signal,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > post.maxResponseBytes) {
      response.body.destroy();
      throw new ReplyTooLargeError(post.maxResponseBytes);
    }
    chunks.push(buffer);
  }
  return {
    status: response.statusCode,
    headers: response.headers as ReplyHeaders,
    body: Buffer.concat(chunks).toString('utf8'),
  };
}
