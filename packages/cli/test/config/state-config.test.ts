// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the configuration's reference syntax, written literally.
import { RollgateError } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config';

const BASE = `service: checkout
sources:
  prom: { type: prometheus, url: http://127.0.0.1:9090 }
executor: { type: deployer, deployPath: /srv/app }
`;

async function configError(fn: () => Promise<unknown>): Promise<RollgateError> {
  try {
    await fn();
  } catch (error) {
    if (RollgateError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('the state block', () => {
  const password = 'pg-Secret-9f1c2e7a';
  const env = { DATABASE_URL: `postgresql://rollgate:${password}@db.internal:5432/rollgate` };

  it('defaults to the file stores, as before', async () => {
    const { config } = await parseConfig(BASE, '/srv/rollgate.yaml', {});
    expect(config.state).toMatchObject({
      type: 'files',
      dir: '/srv/.rollgate',
      keep: 5,
      signing: { type: 'ed25519' },
    });
  });

  it('takes type: postgres with the URL from the environment, and treats its password as a secret', async () => {
    const loaded = await parseConfig(
      `${BASE}state: { type: postgres, url: "\${DATABASE_URL}", schema: ci_rollgate, migrations: verify, leaseSeconds: 20 }\n`,
      '/srv/rollgate.yaml',
      env,
    );
    expect(loaded.config.state).toMatchObject({
      type: 'postgres',
      url: env.DATABASE_URL,
      schema: 'ci_rollgate',
      migrations: 'verify',
      leaseSeconds: 20,
    });
    expect(loaded.secrets).toContain(password);
    expect(JSON.stringify(loaded.masked)).not.toContain(password);
  });

  it('refuses postgres without a URL, and postgres fields on the file stores, naming the field and the fix', async () => {
    const noUrl = await configError(() =>
      parseConfig(`${BASE}state: { type: postgres }\n`, '/srv/rollgate.yaml', {}),
    );
    expect(noUrl.code).toBe('CONFIG_INVALID');
    expect(noUrl.message).toContain(
      'state.url: type: postgres needs the connection URL, e.g. url: ${DATABASE_URL}',
    );
    const stray = await configError(() =>
      parseConfig(`${BASE}state: { dir: state, url: "\${DATABASE_URL}" }\n`, '/srv/rollgate.yaml', env),
    );
    expect(stray.message).toContain(
      'state.url: url is only for type: postgres; add type: postgres or remove url',
    );
    expect(stray.message).not.toContain(password);
    const schema = await configError(() =>
      parseConfig(
        `${BASE}state: { type: postgres, url: "\${DATABASE_URL}", schema: "a-b" }\n`,
        '/srv/rollgate.yaml',
        env,
      ),
    );
    expect(schema.message).toContain('state.schema: a schema name is letters, digits and "_"');
    const lease = await configError(() =>
      parseConfig(`${BASE}state: { leaseSeconds: 0.1 }\n`, '/srv/rollgate.yaml', env),
    );
    expect(lease.message).toContain(
      'state.leaseSeconds: a lease shorter than 1 s would expire between renewals',
    );
  });

  it('takes an Ed25519 private key from a secret, but not together with keyDir', async () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\\n-----END PRIVATE KEY-----';
    const loaded = await parseConfig(
      `${BASE}state: { signing: { type: ed25519, privateKey: "\${ROLLGATE_ED25519_KEY}" } }\n`,
      '/srv/rollgate.yaml',
      { ROLLGATE_ED25519_KEY: pem },
    );
    expect(loaded.config.state.signing).toMatchObject({ type: 'ed25519', privateKey: pem });
    expect(loaded.secrets).toContain(pem);
    const both = await configError(() =>
      parseConfig(
        `${BASE}state: { signing: { type: ed25519, keyDir: keys, privateKey: "\${ROLLGATE_ED25519_KEY}" } }\n`,
        '/srv/rollgate.yaml',
        { ROLLGATE_ED25519_KEY: pem },
      ),
    );
    expect(both.message).toContain(
      'state.signing.privateKey: give the key either as privateKey or in keyDir, not both',
    );
  });
});
