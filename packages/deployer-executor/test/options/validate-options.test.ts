import { RollgateError } from '@rollgate/core';
import { describe, expect, it } from 'vitest';
import { createDeployerExecutor, type DeployerExecutorOptions } from '../../src/index';

function configError(options: unknown): RollgateError {
  try {
    createDeployerExecutor(options as DeployerExecutorOptions);
  } catch (error) {
    if (RollgateError.is(error)) return error;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('option validation', () => {
  it.each([
    [{ mode: 'remote' }, 'options.mode'],
    [{ mode: 'local' }, 'options.deployPath'],
    [{ mode: 'local', deployPath: 'relative/app' }, 'options.deployPath'],
    [{ mode: 'local', deployPath: '/srv/app', deploy_path: '/srv/app' }, 'options.deploy_path'],
    [{ mode: 'local', deployPath: '/srv/app', user: 'a,b' }, 'options.user'],
    [{ mode: 'local', deployPath: '/srv/app', selector: 'prod' }, 'options.selector'],
    [{ mode: 'command' }, 'options.selector'],
    [{ mode: 'command', selector: '' }, 'options.selector'],
    [{ mode: 'command', selector: 'prod', dep: [] }, 'options.dep'],
    [{ mode: 'command', selector: 'prod', dep: ['php', ''] }, 'options.dep[1]'],
    [{ mode: 'command', selector: 'prod', deployFile: '-x' }, 'options.deployFile'],
    [{ mode: 'command', selector: 'prod', env: { 'BAD-NAME': 'x' } }, 'options.env.BAD-NAME'],
    [{ mode: 'command', selector: 'prod', env: { TOKEN: 5 } }, 'options.env.TOKEN'],
    [{ mode: 'command', selector: 'prod', checkCommand: 'a\u0000b' }, 'options.checkCommand'],
    [{ mode: 'local', deployPath: '/srv/app', gate: { urls: ['ftp://x/health'] } }, 'options.gate.urls[0]'],
    [{ mode: 'local', deployPath: '/srv/app', gate: { urls: 'http://x' } }, 'options.gate.urls'],
    [{ mode: 'local', deployPath: '/srv/app', gate: { consecutive: 0 } }, 'options.gate.consecutive'],
    [{ mode: 'local', deployPath: '/srv/app', gate: { intervalMs: 1.5 } }, 'options.gate.intervalMs'],
    [{ mode: 'local', deployPath: '/srv/app', gate: { expectBody: '' } }, 'options.gate.expectBody'],
    [{ mode: 'local', deployPath: '/srv/app', gate: { retries: 3 } }, 'options.gate.retries'],
    [{ mode: 'local', deployPath: '/srv/app', clock: {} }, 'options.clock'],
    [{ mode: 'local', deployPath: '/srv/app', onWarning: 'log' }, 'options.onWarning'],
  ])('rejects %j naming %s', (options, path) => {
    const error = configError(options);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.component).toBe('deployer-executor');
    expect(error.message).toContain(path);
    // Every message says what to do, after the problem.
    expect(error.message).toMatch(/; .+\.$/);
  });

  it('never echoes a secret in a URL or header value', () => {
    const url = configError({
      mode: 'local',
      deployPath: '/srv/app',
      gate: { urls: ['gopher://user:pa55word-secret@host/health?token=q-secret'] },
    });
    expect(url.message).not.toContain('pa55word-secret');
    expect(url.message).not.toContain('q-secret');
    const header = configError({
      mode: 'local',
      deployPath: '/srv/app',
      gate: { headers: { 'x-token': 'line\nsecret-hv' } },
    });
    expect(header.message).not.toContain('secret-hv');
  });

  it('accepts complete options in both modes', () => {
    const local = createDeployerExecutor({
      mode: 'local',
      deployPath: '/srv/app',
      user: 'rollgate-bot',
      gate: {
        urls: ['https://app.example/health'],
        consecutive: 5,
        intervalMs: 500,
        timeoutMs: 30_000,
        expectBody: /ok/,
      },
    });
    expect(local).toMatchObject({ name: 'deployer-local', mode: 'local', supportsWeights: false });
    const command = createDeployerExecutor({
      mode: 'command',
      dep: ['php', 'vendor/bin/dep'],
      selector: 'stage=prod&role=web,canary',
      deployFile: 'deploy.php',
      cwd: '/srv/project',
      env: { SSH_AUTH_SOCK: '/run/agent.sock' },
      checkCommand: 'readlink {{current_path}}',
    });
    expect(command).toMatchObject({ name: 'deployer-command', mode: 'command', supportsWeights: false });
  });
});
