import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ShopServiceOptions } from './shop-service';

/** The shop service running as its own process. */
export interface ServiceProcess {
  readonly url: string;
  /** `127.0.0.1:<port>`, the form Prometheus scrape targets take. */
  readonly address: string;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after 3 s; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * Starts `service/main.ts` in its own Node process (like a real deployment, and so its
 * `/metrics` report its own memory and CPU) and waits for it to listen.
 */
export async function startServiceProcess(
  deployPath: string,
  catalogueMiB = 0,
  options: Pick<ShopServiceOptions, 'workers' | 'sessions'> = {},
): Promise<ServiceProcess> {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const args = [
    '--conditions=source',
    '--import',
    import.meta.resolve('tsx'),
    main,
    deployPath,
    String(catalogueMiB),
    JSON.stringify(options),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Two malloc arenas, a common production setting for Node and JVM services: glibc's default
    // (8 per core) lets a busy process's memory creep for minutes.
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`the shop service did not start in 30 s: ${stderr.trim()}`)),
      30_000,
    );
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0] ?? '';
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`the shop service printed ${JSON.stringify(line)} instead of its URL`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the shop service exited (${code}): ${stderr.trim()}`));
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    url,
    address: new URL(url).host,
    child,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        child.stdin?.end();
        const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}
