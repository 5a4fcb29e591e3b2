import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBinaries, POSTGRES_INSTALL_HINT } from '../../src/postgres/find-postgres-binaries';
import { type RunningPostgres, startPostgres } from '../../src/postgres/start-postgres';

/** Runs one SQL statement with psql over TCP (password authentication) and returns its output. */
function psql(pg: RunningPostgres, url: string, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(join(pg.binaries.dir, 'psql'), [url, '-Atc', sql], (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

describe('startPostgres', () => {
  let pg: RunningPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => pg?.stop());

  it('serves on a loopback port, with password authentication over TCP', async () => {
    expect(pg.url).toMatch(/^postgresql:\/\/rollgate:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    expect(await psql(pg, pg.url, 'select 1 + 1')).toBe('2');
    expect(await psql(pg, pg.url, "select current_setting('listen_addresses')")).toBe('127.0.0.1');
    const wrong = pg.url.replace(encodeURIComponent(pg.password), 'wrong-password');
    await expect(psql(pg, wrong, 'select 1')).rejects.toThrow(/password authentication failed/);
  });

  it('creates databases and keeps their data over a fast restart and a crash', async () => {
    const url = await pg.createDatabase('restart_check');
    await psql(pg, url, 'create table t (n int); insert into t values (41)');
    await pg.restart();
    expect(await psql(pg, url, 'select n from t')).toBe('41');
    await psql(pg, url, 'insert into t values (42)');
    await pg.restart({ mode: 'crash', downMs: 200 });
    expect(await psql(pg, url, 'select count(*) from t')).toBe('2');
  }, 120_000);

  it('stops and removes its data directory', async () => {
    const other = await startPostgres();
    expect(existsSync(other.dataDir)).toBe(true);
    await other.stop();
    await other.stop();
    expect(existsSync(other.dataDir)).toBe(false);
  }, 120_000);
});

describe('findPostgresBinaries', () => {
  it('fails loudly with the install hint when PostgreSQL is missing, never skipping', () => {
    const empty = mkdtempSync(join(tmpdir(), 'rollgate-no-pg-'));
    try {
      expect(() => findPostgresBinaries({ root: empty, env: { PATH: empty } })).toThrow(
        POSTGRES_INSTALL_HINT,
      );
      expect(() => findPostgresBinaries({ binDir: empty })).toThrow(/apt-get install -y postgresql/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('finds Debian’s versioned install', () => {
    expect(findPostgresBinaries({ env: { PATH: '' } }).postgres).toMatch(/\/bin\/postgres$/);
  });
});
