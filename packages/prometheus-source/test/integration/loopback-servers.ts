import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server for tests; `close()` also drops open (hanging) connections. */
export interface LoopbackServer {
  readonly url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Answers every request like a Prometheus that is starting up: 503, plain text. */
export function startUnavailableServer(): Promise<LoopbackServer> {
  return listen(
    createServer((req, res) => {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('Service Unavailable');
    }),
  );
}

/** Accepts requests and never answers. */
export function startHangingServer(): Promise<LoopbackServer> {
  return listen(
    createServer((req) => {
      req.resume();
    }),
  );
}

/** A port that refuses connections: one that was just listened on and closed. */
export async function closedPortUrl(): Promise<string> {
  const server = await listen(createServer());
  await server.close();
  return server.url;
}
