import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A health endpoint on loopback that always answers 503: a release behind it never gets ready. */
export async function startUnhealthyServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('starting');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
