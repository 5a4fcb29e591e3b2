import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../prometheus/start-prometheus';
import { findPostgresBinaries, type PostgresBinaries } from './find-postgres-binaries';

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** A directory holding initdb, postgres, pg_isready and createdb; otherwise searched for. */
  readonly binDir?: string;
  /**
   * Keep PostgreSQL's default durability (fsync). Off by default: a commit then survives a
   * crash of the server process but not of the machine, which is all a test needs. Benchmarks
   * turn it on.
   */
  readonly durable?: boolean;
  /** How long to wait for the server to accept connections (default 60 000 ms). */
  readonly readyTimeoutMs?: number;
  /** Extra `-c name=value` settings. */
  readonly settings?: Readonly<Record<string, string>>;
}

/** A running PostgreSQL started by {@link startPostgres}. */
export interface RunningPostgres {
  /** `postgresql://rollgate:<password>@127.0.0.1:<port>/postgres`: it holds the password. */
  readonly url: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  /** Random per server; password authentication (scram-sha-256) is required over TCP. */
  readonly password: string;
  readonly dataDir: string;
  readonly binaries: PostgresBinaries;
  /** The URL of another database on this server (created with {@link RunningPostgres.createDatabase}). */
  urlFor(database: string): string;
  /** Creates a database (a fresh one per test file keeps tests apart). */
  createDatabase(name: string): Promise<string>;
  /**
   * Stops the server (`fast`: SIGINT, sessions are ended; `crash`: SIGKILL, recovery on the
   * next start) and starts it again on the same port and data directory. Resolves once it
   * accepts connections again; `downMs` keeps it down that long first.
   */
  restart(options?: { readonly mode?: 'fast' | 'crash'; readonly downMs?: number }): Promise<void>;
  /** Stops the server (fast shutdown, then SIGKILL) and removes the data directory. Idempotent. */
  stop(): Promise<void>;
}

const STDERR_TAIL_CHARS = 4_000;

/** Who runs the server: PostgreSQL refuses to run as root, so root hands it to a plain user. */
interface RunAs {
  readonly uid: number;
  readonly gid: number;
  /** Prefix that runs a command as that user, or none when we are that user. */
  readonly prefix: readonly string[];
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { env, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${[command, ...args].join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function idOf(user: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const uid = Number((await run('id', ['-u', user])).trim());
    const gid = Number((await run('id', ['-g', user])).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

async function runAs(): Promise<RunAs> {
  const me = userInfo();
  if (me.uid !== 0) return { uid: me.uid, gid: me.gid, prefix: [] };
  // Debian's postgresql package creates the `postgres` user; `nobody` is everywhere else.
  const target = (await idOf('postgres')) ?? (await idOf('nobody'));
  if (!target)
    throw new Error(
      'running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as',
    );
  for (const setpriv of ['/usr/bin/setpriv', '/bin/setpriv']) {
    if (existsSync(setpriv)) {
      return {
        ...target,
        prefix: [setpriv, `--reuid=${target.uid}`, `--regid=${target.gid}`, '--clear-groups', '--'],
      };
    }
  }
  for (const runuser of ['/usr/sbin/runuser', '/sbin/runuser']) {
    if (existsSync(runuser)) return { ...target, prefix: [runuser, '-u', String(target.uid), '--'] };
  }
  throw new Error(
    'running as root, and neither setpriv nor runuser (util-linux) is installed to drop to a plain user for PostgreSQL',
  );
}

function command(as: RunAs, binary: string, args: readonly string[]): [string, string[]] {
  const full = [...as.prefix, binary, ...args];
  return [full[0] as string, full.slice(1)];
}

interface Server {
  readonly child: ChildProcess;
  stderr(): string;
  exited(): boolean;
  readonly exit: Promise<void>;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts a real, throwaway PostgreSQL for tests and benchmarks: `initdb` into a temporary
 * directory (superuser `rollgate` with a random password, scram-sha-256 over TCP), then
 * `postgres` on a free loopback port with its socket in the data directory; resolves once
 * `pg_isready` says it accepts connections. As root it runs the server as the `postgres` user
 * (or `nobody`) through setpriv, because PostgreSQL refuses to run as root. It never touches the
 * system service. `stop()` ends it and removes the directory; a process exit kills it too.
 *
 * Missing binaries throw an Error that says how to install PostgreSQL (never a silent skip).
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<RunningPostgres> {
  const binaries = findPostgresBinaries(options.binDir === undefined ? {} : { binDir: options.binDir });
  const as = await runAs();
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const dataDir = await mkdtemp(join(tmpdir(), 'rollgate-postgres-'));
  const user = 'rollgate';
  const password = randomBytes(18).toString('base64url');
  const pgdata = join(dataDir, 'data');
  let port = 0;
  let server: Server | null = null;

  const start = async (): Promise<void> => {
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      port: String(port),
      unix_socket_directories: dataDir,
      max_connections: '200',
      // Without fsync a commit still reaches the OS before it returns, so it survives a crash of
      // the server process (not of the machine), which is all a test restarts.
      ...(options.durable ? {} : { fsync: 'off', full_page_writes: 'off' }),
      ...options.settings,
    };
    const args = ['-D', pgdata, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const [cmd, cmdArgs] = command(as, binaries.postgres, args);
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    let done = false;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    const exit = new Promise<void>((resolve) => {
      child.once('exit', () => {
        done = true;
        resolve();
      });
      child.once('error', (error) => {
        tail += `\n${error.message}`;
        done = true;
        resolve();
      });
    });
    server = { child, stderr: () => tail, exited: () => done, exit };
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (done)
        throw new Error(
          `PostgreSQL (${binaries.postgres}) exited before it was ready. Last stderr:\n${tail}`,
        );
      try {
        await run(binaries.pgIsReady, [
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-U',
          user,
          '-d',
          'postgres',
          '-t',
          '2',
        ]);
        return;
      } catch {
        await delay(100);
      }
    }
    throw new Error(
      `PostgreSQL did not accept connections within ${readyTimeoutMs} ms on 127.0.0.1:${port}. Last stderr:\n${tail}`,
    );
  };

  const halt = async (signal: 'SIGINT' | 'SIGKILL'): Promise<void> => {
    const current = server;
    if (!current || current.exited()) return;
    current.child.kill(signal);
    const stopped = await Promise.race([current.exit.then(() => true), delay(15_000).then(() => false)]);
    if (!stopped) {
      current.child.kill('SIGKILL');
      await current.exit;
    }
  };

  try {
    if (as.uid !== userInfo().uid) {
      await chown(dataDir, as.uid, as.gid);
    }
    await chmod(dataDir, 0o700);
    const pwfile = join(dataDir, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (as.uid !== userInfo().uid) await chown(pwfile, as.uid, as.gid);
    const [cmd, args] = command(as, binaries.initdb, [
      '-D',
      pgdata,
      '-U',
      user,
      `--pwfile=${pwfile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    await run(cmd, args, { ...process.env, LC_ALL: 'C' });
    await rm(pwfile, { force: true });
    // The port is free when chosen but another process may take it first: retry with a fresh one.
    for (let attempt = 1; ; attempt++) {
      port = await freeLoopbackPort();
      try {
        await start();
        break;
      } catch (error) {
        await halt('SIGKILL');
        const text = error instanceof Error ? error.message : String(error);
        if (attempt < 3 && /could not bind|address already in use/i.test(text)) continue;
        throw error;
      }
    }
  } catch (error) {
    await halt('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const killOnExit = (): void => {
    server?.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const urlFor = (database: string) =>
    `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  let stopping: Promise<void> | undefined;

  return {
    url: urlFor('postgres'),
    host: '127.0.0.1',
    port,
    user,
    password,
    dataDir,
    binaries,
    urlFor,
    async createDatabase(name) {
      await run(binaries.createdb, ['-h', '127.0.0.1', '-p', String(port), '-U', user, name], {
        ...process.env,
        PGPASSWORD: password,
      });
      return urlFor(name);
    },
    async restart(restartOptions = {}) {
      await halt(restartOptions.mode === 'crash' ? 'SIGKILL' : 'SIGINT');
      if (restartOptions.downMs) await delay(restartOptions.downMs);
      // After a crash the old backends notice their postmaster died and exit on their own; until
      // they have, a new postmaster refuses to start on the same data directory.
      for (let attempt = 1; ; attempt++) {
        try {
          await start();
          return;
        } catch (error) {
          await halt('SIGKILL');
          if (attempt >= 20) throw error;
          await delay(250);
        }
      }
    },
    stop() {
      stopping ??= (async () => {
        process.removeListener('exit', killOnExit);
        await halt('SIGINT');
        await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
