import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, freshSchema, postgresServer } from './support/postgres-server';
import {
  buildDeployPath,
  bundleRacingController,
  type RaceEvent,
  seedVerified,
  startRacer,
  timeline,
} from './support/race-harness';

// The database restarts in the middle of a watch, and stays down longer than the lease: the
// watch reports the store errors, retries, holds its commands until the database is back, and
// finishes with nothing lost (snapshot, audit record) or repeated (cutover, audit record).

let bundle: { file: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  bundle = await bundleRacingController();
  await postgresServer();
}, 120_000);

afterAll(async () => bundle?.cleanup());

describe('PostgreSQL restarted mid-watch', () => {
  for (const point of ['saved:Validating', 'saved:Verifying']) {
    it(`restarted at ${point} (down 3 s, lease 2 s): the watch retries and finishes, nothing lost or repeated`, async () => {
      const server = await postgresServer();
      const schema = freshSchema('restart');
      const { deployPath, cleanup } = await buildDeployPath();
      const events: RaceEvent[] = [];
      try {
        const { deployed, target } = await seedVerified(server.url, schema, deployPath);
        const watchId = `checkout--restart-${point.replace(':', '-')}`;
        let restarted: Promise<void> | null = null;
        const racer = startRacer(
          bundle.file,
          'ctl',
          {
            PG_URL: server.url,
            PG_SCHEMA: schema,
            DEPLOY_PATH: deployPath,
            DEPLOYED_AT: String(Date.now()),
            ARTIFACT_ID: deployed,
            WATCH_ID: watchId,
            TTL_MS: '2000',
            POINT: point,
            ACTION: 'mark',
            MARK_FILE: join(deployPath, '..', 'point-reached'),
          },
          (_, event) => {
            events.push(event);
            if (event.ev === 'at') {
              events.push({ at: Date.now(), name: 'test', ev: 'restarting PostgreSQL' });
              restarted = server
                .restart({ downMs: 3_000 })
                .then(() => void events.push({ at: Date.now(), name: 'test', ev: 'PostgreSQL is back' }));
            }
          },
        );
        const exit = await racer.exited;
        await restarted;
        try {
          expect(exit.code).toBe(0);
          expect(events.at(-1)).toMatchObject({ ev: 'result', outcome: 'rolled-back' });
          // It saw the outage and said so.
          const failures = events.filter(
            (e) => e.ev === 'store-error' || (e.ev === 'lease' && e.type === 'renew-failed'),
          );
          expect(failures.length).toBeGreaterThan(0);
          // Nothing repeated: one lease grant (it kept its lease), one cutover.
          expect(events.filter((e) => e.ev === 'lease' && e.type === 'acquired')).toHaveLength(1);
          expect(events.filter((e) => e.ev === 'cutover' && e.changed === true)).toHaveLength(1);
          expect(await readlink(join(deployPath, 'current'))).toBe('releases/1');
          // Nothing lost: the final snapshot and the one audit record are in the database.
          const admin = await adminPool();
          const audits = (
            await admin.query(
              `SELECT outcome, restored_artifact FROM "${schema}".audit WHERE watch_id = $1`,
              [watchId],
            )
          ).rows;
          expect(audits).toEqual([{ outcome: 'rolled-back', restored_artifact: target }]);
          const row = (
            await admin.query(`SELECT snapshot FROM "${schema}".state WHERE key = $1`, [`watch/${watchId}`])
          ).rows[0];
          const snapshot = JSON.parse(row?.snapshot as string) as {
            state: string;
            auditWritten: boolean;
            pending: unknown[];
          };
          expect(snapshot).toMatchObject({ state: 'RolledBack', auditWritten: true, pending: [] });
          const journal = JSON.parse(
            await readFile(join(deployPath, '.dep', 'rollgate-cutover.json'), 'utf8'),
          );
          expect(journal).toMatchObject({ operationId: `${watchId}/rollback`, phase: 'done' });
        } catch (error) {
          throw new Error(`${(error as Error).message}\n\ntimeline:\n${timeline(events)}\n${racer.stderr()}`);
        }
      } finally {
        await cleanup();
      }
    }, 120_000);
  }
});
