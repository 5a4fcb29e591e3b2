import type { PortContext } from '@rollgate/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesExecutor } from '../../src/executor/kubernetes-executor';
import { deploymentManifest } from '../support/fixtures';
import { KubeApiDouble } from '../support/kube-api-double';

const ctx = (): PortContext => ({ signal: new AbortController().signal, deadline: Date.now() + 10_000 });
const IMAGES = ['web:1', 'web:2', 'web:3', 'web:4'];

type Step = { kind: 'deploy'; image: number } | { kind: 'undo'; pick: number };

// Any interleaving of deploys and rollbacks keeps the executor's view consistent with what the
// deployment controller did: one ReplicaSet per distinct template, stable ids, unique revisions,
// and the live artifact always holding the highest revision.
describe('rollout history invariants (property, API double)', () => {
  let double: KubeApiDouble;

  beforeAll(async () => {
    double = await KubeApiDouble.start();
  });
  afterAll(async () => {
    await double.close();
  });

  it('keeps ids stable, revisions unique and the live artifact newest', async () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('deploy' as const), image: fc.nat(IMAGES.length - 1) }),
      fc.record({ kind: fc.constant('undo' as const), pick: fc.nat(5) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        run++;
        const name = `web-${run}`;
        const deployed = new Set<string>();
        const idOfImage = new Map<string, string>();
        let op = 0;
        for (const s of steps) {
          if (s.kind === 'deploy' || deployed.size === 0) {
            const image = IMAGES[s.kind === 'deploy' ? s.image : 0] as string;
            const current = double.get('deployments', 'prod', name);
            const manifest = deploymentManifest({ name, image });
            // Keep what the controller wrote (the revision annotation), as kubectl apply does.
            if (current) {
              const annotations = (current.metadata as Record<string, unknown>).annotations;
              (manifest.metadata as Record<string, unknown>).annotations = annotations ?? {};
            }
            double.apply('deployments', manifest);
            deployed.add(image);
          } else {
            const scoped = createKubernetesExecutor({
              namespace: 'prod',
              deployment: name,
              server: double.url,
              token: double.token,
            });
            try {
              const list = await scoped.candidates(ctx());
              if (!list.ok) return false;
              const target = list.value[s.pick % list.value.length];
              if (!target) return false;
              const receipt = await scoped.cutover(target, `op-${run}-${op++}`, ctx());
              if (!receipt.ok) return false;
            } finally {
              await scoped.dispose();
            }
          }
          double.controller.settle('prod', name);
          const scoped = createKubernetesExecutor({
            namespace: 'prod',
            deployment: name,
            server: double.url,
            token: double.token,
          });
          try {
            const list = await scoped.candidates(ctx());
            const live = await scoped.current(ctx());
            if (!list.ok || !live.ok) return false;
            const revisions = list.value.map((a) => a.revision);
            const ids = list.value.map((a) => a.id);
            if (new Set(revisions).size !== revisions.length || new Set(ids).size !== ids.length)
              return false;
            if (list.value.length !== deployed.size) return false;
            if (list.value[0]?.id !== live.value.id) return false;
            for (const a of list.value) {
              const image = a.attributes?.['image.app'] as string;
              const known = idOfImage.get(image);
              if (known !== undefined && known !== a.id) return false;
              idOfImage.set(image, a.id);
            }
          } finally {
            await scoped.dispose();
          }
        }
        return true;
      }),
      { numRuns: 12 },
    );
    expect(run).toBeGreaterThan(0);
  });
});
