import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { insecureTestSigner } from '@rollgate/core/testing';
import { auditRecordFixture, liveContext } from '@rollgate/testkit';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStores } from '../src/open-postgres-stores';
import { postgresServer } from './support/postgres-server';

// The example queries of docs/stores.md ("Post-incident queries"), run as written against
// records the stores wrote, so the documentation cannot drift from the tables.

const DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'stores.md');

async function documentedQueries(): Promise<string[]> {
  const text = await readFile(DOC, 'utf8');
  const start = text.indexOf('### Post-incident queries');
  expect(start).toBeGreaterThan(-1);
  const section = text.slice(
    start,
    text.indexOf('\n## ', start) === -1 ? undefined : text.indexOf('\n## ', start),
  );
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('the post-incident queries of docs/stores.md', () => {
  it('run as written and find what the stores wrote', async () => {
    const server = await postgresServer();
    const url = await server.createDatabase('documented_queries');
    const stores = openPostgresStores({ url, signer: insecureTestSigner() });
    const ctx = liveContext(Date.now());
    const rolledBack = auditRecordFixture('checkout--42@ab12--1740823200000');
    const promoted = auditRecordFixture('checkout--43@cd34--1740909600000', {
      outcome: 'promoted',
      breach: null,
      failedArtifact: null,
      restoredArtifact: null,
      startedAt: '2025-03-02T10:00:00.000Z',
      finishedAt: '2025-03-02T10:10:00.000Z',
    });
    for (const record of [rolledBack, promoted])
      expect((await stores.audit.write(record, ctx)).ok).toBe(true);
    const grant = await stores.lease.acquire('checkout', ctx);
    if (!grant.ok) throw grant.error;
    expect(
      (await stores.state.save('watch/checkout--44@ef56--1740996000000', { state: 'Watching' }, ctx)).ok,
    ).toBe(true);
    await stores.close();

    const queries = await documentedQueries();
    expect(queries.length).toBeGreaterThanOrEqual(6);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const results: Record<string, unknown>[][][] = [];
      for (const sql of queries) {
        const answer = await client.query(sql);
        const sets = Array.isArray(answer) ? answer : [answer];
        for (const set of sets) expect(set.rows.length, sql).toBeGreaterThan(0);
        results.push(sets.map((set) => set.rows as Record<string, unknown>[]));
      }
      const [byService, breaches, phases, restored, weekly, leasesAndOpen] = results;
      expect(byService?.[0]?.[0]).toMatchObject({
        watch_id: rolledBack.watchId,
        restored_artifact: '41@9f3c',
      });
      expect(breaches?.[0]).toEqual([
        expect.objectContaining({
          watch_id: rolledBack.watchId,
          signal: 'errors',
          value: 0.031,
          samples: 612,
        }),
      ]);
      expect(phases?.[0]?.map((r) => r.state)).toEqual(['Watching', 'RolledBack']);
      expect(restored?.[0]).toHaveLength(1);
      expect(weekly?.[0]?.map((r) => [r.outcome, Number(r.watches)])).toEqual(
        expect.arrayContaining([
          ['promoted', 1],
          ['rolled-back', 1],
        ]),
      );
      expect(leasesAndOpen?.[0]?.[0]).toMatchObject({ key: 'checkout', token: '1', live: true });
      expect(leasesAndOpen?.[1]?.[0]).toMatchObject({ state: 'Watching' });
    } finally {
      await client.end();
    }
  });
});
