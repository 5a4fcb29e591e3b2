import { RollgateError } from '@rollgate/core';
import { insecureTestSigner } from '@rollgate/core/testing';
import { auditRecordFixture, liveContext, payloadFixture } from '@rollgate/testkit';
import { freeLoopbackPort } from '@rollgate/testkit/prometheus';
import { describe, expect, it } from 'vitest';
import { parseConnectionTarget } from '../src/connection-target';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/migrations';
import { openPostgresStores } from '../src/open-postgres-stores';
import { createPostgresArtifactStore } from '../src/postgres-artifact-store';
import { createPostgresDatabase } from '../src/postgres-database';
import { createPostgresStateStore } from '../src/postgres-state-store';
import { adminPool, freshSchema, postgresServer } from './support/postgres-server';

const ctx = () => liveContext(Date.now());

/** Everything an error can show: message, JSON form, and its cause chain as text and JSON. */
function everythingShown(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(
      String(current),
      JSON.stringify(current),
      (current as Error).message ?? '',
      (current as Error).stack ?? '',
    );
    if (RollgateError.is(current))
      parts.push(JSON.stringify(current.toJSON()), JSON.stringify(current.details));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('secrets: the connection string password never appears', () => {
  it('in a malformed URL, refused as CONFIG_INVALID', () => {
    const secret = 'hunter2-very-secret';
    for (const url of [
      `postgresql://rollgate:${secret}@[::1:5432/db`,
      `mysql://rollgate:${secret}@db:3306/db`,
      `postgresql://rollgate:${secret}@/db`,
      '',
    ]) {
      let caught: unknown;
      try {
        createPostgresDatabase({ url });
      } catch (error) {
        caught = error;
      }
      expect(RollgateError.is(caught) && caught.code).toBe('CONFIG_INVALID');
      expect((caught as Error).message).toMatch(/^url: /);
      expect(everythingShown(caught)).not.toContain(secret);
    }
  });

  it('in errors from the server (wrong password, missing database) and from a refused connection', async () => {
    const server = await postgresServer();
    const wrongPassword = 'Wr0ng:p@ss/word%with?odd#chars';
    const urls = [
      server.url.replace(encodeURIComponent(server.password), encodeURIComponent(wrongPassword)),
      server.urlFor('no_such_database'),
      `postgresql://rollgate:${encodeURIComponent(server.password)}@127.0.0.1:${await freeLoopbackPort()}/postgres`,
    ];
    const codes: (string | null)[] = [];
    for (const url of urls) {
      const db = createPostgresDatabase({ url, connectTimeoutMs: 3_000 });
      const store = createPostgresStateStore({ db });
      const result = await store.load('watch/x', ctx());
      await db.close();
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe('STORE_FAILED');
      const shown = everythingShown(result.error);
      for (const secret of [server.password, encodeURIComponent(server.password), wrongPassword]) {
        expect(shown).not.toContain(secret);
      }
      expect(result.error.message).toContain(`@127.0.0.1:`);
      codes.push(result.error.details.code as string | null);
    }
    expect(codes[0]).toBe('28P01');
    expect(codes[1]).toBe('3D000');
    expect(codes[2]).toBe('ECONNREFUSED');
  });

  it('redacts the password, raw or percent-encoded, from any text', () => {
    const target = parseConnectionTarget(
      'postgresql://app:p%40ss%2Fword@db.internal:5432/rollgate?sslmode=require',
    );
    expect(target.display).toBe('postgresql://app@db.internal:5432/rollgate');
    expect(target.redact('auth p@ss/word and p%40ss%2Fword')).toBe('auth [redacted] and [redacted]');
  });
});

describe('migrations', () => {
  it('applies the versioned migrations once, even when several controllers start together', async () => {
    const server = await postgresServer();
    const schema = freshSchema('m');
    const dbs = Array.from({ length: 5 }, () => createPostgresDatabase({ url: server.url, schema }));
    const results = await Promise.all(
      dbs.map((db) => createPostgresStateStore({ db }).save('watch/first', { n: 1 }, ctx())),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    await Promise.all(dbs.map((db) => db.close()));
    const admin = await adminPool();
    const { rows } = await admin.query(
      `SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`,
    );
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.at(-1)?.version);
  });

  it('with migrations: verify, refuses a schema that is behind instead of changing it', async () => {
    const server = await postgresServer();
    const schema = freshSchema('v');
    const db = createPostgresDatabase({ url: server.url, schema, migrations: 'verify' });
    const result = await createPostgresStateStore({ db }).load('watch/x', ctx());
    expect(!result.ok && result.error.code).toBe('CONFIG_INVALID');
    expect(!result.ok && result.error.message).toMatch(/version 0, this Rollgate needs 1.*verify/);
    const admin = await adminPool();
    const { rows } = await admin.query('SELECT to_regclass($1) AS t', [`"${schema}".state`]);
    expect(rows[0]?.t).toBeNull();
    // Applied explicitly once (as the schema's owner would), the same store works.
    const owner = createPostgresDatabase({ url: server.url, schema });
    const migrated = await owner.migrate(ctx());
    expect(migrated).toEqual({ ok: true, value: { from: 0, to: SCHEMA_VERSION } });
    await owner.close();
    expect((await createPostgresStateStore({ db }).load('watch/x', ctx())).ok).toBe(true);
    await db.close();
  });

  it('refuses a database migrated by a newer Rollgate', async () => {
    const server = await postgresServer();
    const schema = freshSchema('n');
    const db = createPostgresDatabase({ url: server.url, schema });
    expect((await db.migrate(ctx())).ok).toBe(true);
    const admin = await adminPool();
    await admin.query(
      `INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, 'from the future')`,
      [SCHEMA_VERSION + 1],
    );
    const fresh = createPostgresDatabase({ url: server.url, schema });
    const result = await createPostgresStateStore({ db: fresh }).load('k', ctx());
    expect(!result.ok && result.error.message).toMatch(
      /newer than this @rollgate\/postgres-store.*upgrade Rollgate/,
    );
    await Promise.all([db.close(), fresh.close()]);
  });

  it('refuses bad options naming the field', () => {
    const url = 'postgresql://u@127.0.0.1:5432/db';
    expect(() => createPostgresDatabase({ url, schema: 'drop table; --' })).toThrow(/^schema: /);
    expect(() => createPostgresDatabase({ url, poolSize: 0 })).toThrow(/^poolSize: /);
    expect(() => createPostgresDatabase({ url, migrations: 'yes' as never })).toThrow(/^migrations: /);
  });
});

describe('audit records are queryable with SQL', () => {
  it('keeps one row per watch with its outcome, service, artifacts and times, and the record as jsonb', async () => {
    const server = await postgresServer();
    const schema = freshSchema('a');
    const stores = openPostgresStores({ url: server.url, schema, signer: insecureTestSigner() });
    const record = auditRecordFixture('checkout--42@ab12--1740823200000');
    expect((await stores.audit.write(record, ctx())).ok).toBe(true);
    expect((await stores.audit.write({ ...record, reason: 'again' }, ctx())).ok).toBe(true);
    const admin = await adminPool();
    const { rows } = await admin.query(
      `SELECT watch_id, service, outcome, dry_run, deployed_artifact, failed_artifact, restored_artifact,
              deployed_at, started_at, finished_at, reason, record->'breach'->>'signal' AS signal
       FROM "${schema}".audit`,
    );
    expect(rows).toEqual([
      {
        watch_id: record.watchId,
        service: 'checkout',
        outcome: 'rolled-back',
        dry_run: false,
        deployed_artifact: '42@ab12',
        failed_artifact: '42@ab12',
        restored_artifact: '41@9f3c',
        deployed_at: new Date(record.deploy.deployedAt),
        started_at: new Date(record.startedAt),
        finished_at: new Date(record.finishedAt),
        reason: record.reason,
        signal: 'errors',
      },
    ]);
    const contained = await admin.query(
      `SELECT count(*)::int AS n FROM "${schema}".audit WHERE record @> $1`,
      [{ restoredArtifact: { id: '41@9f3c' } }],
    );
    expect(contained.rows[0]?.n).toBe(1);
    await stores.close();
  });

  it('stores a NUL character, which jsonb cannot hold, as U+FFFD instead of losing the record', async () => {
    const server = await postgresServer();
    const stores = openPostgresStores({
      url: server.url,
      schema: freshSchema('z'),
      signer: insecureTestSigner(),
    });
    const record = auditRecordFixture('watch-nul', { reason: 'backend said "bad\u0000byte"' });
    expect((await stores.audit.write(record, ctx())).ok).toBe(true);
    const read = await stores.audit.read('watch-nul', ctx());
    expect(read.ok && read.value?.reason).toBe('backend said "bad\ufffdbyte"');
    await stores.close();
  });
});

describe('fenced writes beyond snapshots', () => {
  it('refuses an audit record and a verification from a stale lease holder, writing nothing', async () => {
    const server = await postgresServer();
    const schema = freshSchema('f');
    const signer = insecureTestSigner();
    const a = openPostgresStores({ url: server.url, schema, signer, leaseTtlMs: 10_000 });
    const b = openPostgresStores({ url: server.url, schema, signer, leaseTtlMs: 10_000 });
    const old = await a.lease.acquire('checkout', ctx());
    if (!old.ok) throw old.error;
    const admin = await adminPool();
    await admin.query(`UPDATE "${schema}".leases SET expires_at = now() - interval '1 second'`);
    const current = await b.lease.acquire('checkout', ctx());
    expect(current.ok && current.value.token).toBe(old.value.token + 1);
    const stale = { ...ctx(), fence: { key: 'checkout', token: old.value.token } };
    const audit = await a.audit.write(auditRecordFixture('watch-stale'), stale);
    expect(!audit.ok && audit.error.code).toBe('LEASE_LOST');
    const verified = await a.artifacts.record(payloadFixture('checkout', '9@stale', 1), stale);
    expect(!verified.ok && verified.error.code).toBe('LEASE_LOST');
    expect(
      (await b.audit.read('watch-stale', ctx())).ok && (await b.audit.read('watch-stale', ctx())),
    ).toEqual({
      ok: true,
      value: null,
    });
    expect(await b.artifacts.list('checkout', ctx())).toEqual({ ok: true, value: [] });
    await Promise.all([a.close(), b.close()]);
  });
});

describe('concurrency by transactions and constraints', () => {
  it('keeps exactly `keep` verifications per service when controllers record at the same time', async () => {
    const server = await postgresServer();
    const schema = freshSchema('c');
    const signer = insecureTestSigner();
    const dbs = Array.from({ length: 4 }, () => createPostgresDatabase({ url: server.url, schema }));
    const stores = dbs.map((db) => createPostgresArtifactStore({ db, signer, keep: 3 }));
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (stores[i % stores.length] as (typeof stores)[number]).record(
          payloadFixture('checkout', `${i}@r`, 1_000 + i),
          ctx(),
        ),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const list = await stores[0]?.list('checkout', ctx());
    expect(list?.ok && list.value.map((c) => c.record.artifact.id)).toEqual(['23@r', '22@r', '21@r']);
    await Promise.all(dbs.map((db) => db.close()));
  });
});

describe('a server restart', () => {
  it('fails calls while it is down with a retryable STORE_FAILED, and works again once it is back', async () => {
    const server = await postgresServer();
    const stores = openPostgresStores({
      url: server.url,
      schema: freshSchema('r'),
      signer: insecureTestSigner(),
      connectTimeoutMs: 2_000,
    });
    expect((await stores.state.save('watch/r', { step: 1 }, ctx())).ok).toBe(true);
    const restarted = server.restart({ downMs: 1_500 });
    const failures: RollgateError[] = [];
    let recovered = false;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const saved = await stores.state.save('watch/r', { step: 2 }, ctx());
      if (saved.ok && failures.length > 0) {
        recovered = true;
        break;
      }
      if (!saved.ok) failures.push(saved.error);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await restarted;
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((e) => e.code === 'STORE_FAILED' && e.retryable)).toBe(true);
    expect(recovered).toBe(true);
    expect(await stores.state.load('watch/r', ctx())).toEqual({ ok: true, value: { step: 2 } });
    await stores.close();
  }, 120_000);
});
