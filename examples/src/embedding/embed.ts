// The README's embedding example, verbatim below this comment (test/embedding/readme-example.test.ts).
import { createController, defaultContract } from '@rollgate/core';
import {
  createEd25519Signer,
  createFileArtifactStore,
  createFileAuditSink,
  createFileStateStore,
  createWebhookNotifier,
  systemClock,
} from '@rollgate/core/node';
import { createDeployerExecutor } from '@rollgate/deployer-executor';
import { createPrometheusSource } from '@rollgate/prometheus-source';

const controller = createController({
  contract: defaultContract('checkout', { selector: { job: 'checkout' } }),
  sources: { default: createPrometheusSource({ url: 'http://prometheus:9090' }) },
  executor: createDeployerExecutor({
    mode: 'local',
    deployPath: '/var/www/checkout',
    gate: { urls: ['http://127.0.0.1:8080/healthz'] },
  }),
  artifacts: createFileArtifactStore({
    path: '.rollgate/artifacts.json',
    signer: createEd25519Signer({ keyDir: '.rollgate/keys' }),
  }),
  state: createFileStateStore({ dir: '.rollgate/state' }),
  audit: createFileAuditSink({ path: '.rollgate/audit.jsonl' }),
  notifier: createWebhookNotifier({ url: 'https://hooks.example.com/rollgate', format: 'slack' }),
  clock: systemClock,
});
controller.events.on('transition', (t) => console.log(`${t.from} -> ${t.to}: ${t.reason}`));

const result = await controller.watch({ artifactId: process.env.RELEASE ?? '42', deployedAt: Date.now() });
console.log(result.outcome, result.reason); // e.g. rolled-back, with the evidence
