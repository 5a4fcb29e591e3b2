import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook receiver on loopback: `/ok` accepts, `/fail` answers 500, `/hang` never answers. */
export interface WebhookReceiver {
  readonly base: string;
  readonly accepted: () => number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let accepted = 0;
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/ok')) {
        accepted += 1;
        res.writeHead(202).end('accepted');
      } else if (req.url?.startsWith('/fail')) {
        res.writeHead(500).end('internal error');
      } else hanging.add(res);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
