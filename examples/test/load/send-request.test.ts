import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest } from '../../src/load/send-request';

describe('sendRequest', () => {
  let server: Server;
  let base: string;
  const agent = new Agent({ keepAlive: true });

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/fail') {
        res.writeHead(503).end('down');
      } else if (req.url === '/cut') {
        // Headers and part of a promised body, then the connection drops.
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 20);
      } else {
        res.writeHead(200).end('ok');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reports the status of an answered request, 2xx or 5xx', async () => {
    expect(await sendRequest(`${base}/`, agent)).toEqual({ kind: 'answered', status: 200 });
    expect(await sendRequest(`${base}/fail`, agent)).toEqual({ kind: 'answered', status: 503 });
  });

  it('reports a response cut off midway as broken, not as an answer', async () => {
    expect(await sendRequest(`${base}/cut`, agent)).toEqual({ kind: 'broken' });
  });

  it('reports a refused connection as failed, without rejecting', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await sendRequest(`http://127.0.0.1:${port}/`, agent)).toEqual({ kind: 'failed' });
  });
});
