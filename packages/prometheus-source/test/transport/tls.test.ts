import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricRequest, PortContext } from '@rollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusSource } from '../../src/index';

interface Pem {
  readonly cert: string;
  readonly key: string;
}

let dir: string;
let serverPem: Pem;
let clientPem: Pem;
let server: Server;
let url: string;

/** A throwaway self-signed certificate from the system openssl. */
function selfSigned(name: string, subject: string, san?: string): Pem {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      subject,
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      join(dir, `${name}.crt`),
      ...(san === undefined ? [] : ['-addext', `subjectAltName=${san}`]),
    ],
    { stdio: 'ignore' },
  );
  return {
    cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
  };
}

const request: MetricRequest = {
  query: { measure: 'ready', selector: {} },
  start: 1_000_000,
  end: 1_000_000,
  stepMs: 1000,
};
const ctx = (): PortContext => ({ signal: new AbortController().signal, deadline: Date.now() + 5_000 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-tls-'));
  serverPem = selfSigned('server', '/CN=prometheus.local', 'IP:127.0.0.1,DNS:prometheus.local');
  clientPem = selfSigned('client', '/CN=rollgate-client');
  server = createServer(
    {
      cert: serverPem.cert,
      key: serverPem.key,
      ca: clientPem.cert,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      req.resume();
      const socket = req.socket as import('node:tls').TLSSocket;
      if (!socket.authorized) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('client certificate required');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [1000, '1'] }] },
        }),
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS options of the pool the source creates', () => {
  it('reads over mutual TLS with the CA, client certificate and key given', async () => {
    const source = createPrometheusSource({
      url,
      tls: { ca: serverPem.cert, cert: clientPem.cert, key: clientPem.key },
    });
    expect(await source.read(request, ctx())).toEqual({
      status: 'ok',
      series: [{ labels: {}, samples: [{ t: 1_000_000, v: 1 }] }],
    });
    await source.dispose();
  });

  it('refuses an untrusted server certificate with a non-retryable error that says to set tls.ca', async () => {
    const source = createPrometheusSource({ url, tls: { cert: clientPem.cert, key: clientPem.key } });
    const result = await source.read(request, ctx());
    expect(result.status).toBe('error');
    if (result.status === 'error') {
      expect(result.error.code).toBe('SOURCE_UNAVAILABLE');
      expect(result.error.retryable).toBe(false);
      expect(result.error.message).toMatch(/tls\.ca/);
    }
    await source.dispose();
  });

  it('is SOURCE_AUTH when the server wants a client certificate and gets none', async () => {
    const source = createPrometheusSource({ url, tls: { ca: serverPem.cert } });
    const result = await source.read(request, ctx());
    expect(result.status === 'error' && result.error.code).toBe('SOURCE_AUTH');
    await source.dispose();
  });

  it('checks the certificate against servername when given', async () => {
    const wrong = createPrometheusSource({
      url,
      tls: { ca: serverPem.cert, cert: clientPem.cert, key: clientPem.key, servername: 'other.local' },
    });
    const result = await wrong.read(request, ctx());
    expect(result.status === 'error' && result.error.retryable).toBe(false);
    await wrong.dispose();
    const right = createPrometheusSource({
      url,
      tls: { ca: serverPem.cert, cert: clientPem.cert, key: clientPem.key, servername: 'prometheus.local' },
    });
    expect((await right.read(request, ctx())).status).toBe('ok');
    await right.dispose();
  });
});
