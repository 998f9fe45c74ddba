// A throw-away PostgreSQL server for the Temporal cluster the cluster tests and the split bench run on:
// initdb into a directory, one `postgres` process on 127.0.0.1, stopped by PID. Not part of `npm start`.
// PostgreSQL refuses to run as root, so when this process is root both run as the `postgres` user.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertPortFree, isAlive, type ManagedProcess, spawnServer, stopPid } from './processes.js';

/** Debian's PostgreSQL 15 (the `postgresql-15` package). */
export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';

/** The superuser initdb creates; trust authentication on 127.0.0.1, so any password is accepted. */
export const POSTGRES_USER = 'temporal';

export interface PostgresOptions {
  binDir?: string;
  /** Data, socket and log live here; created if missing. */
  dir: string;
  port: number;
  logFile?: string;
}

export interface PostgresServer extends ManagedProcess {
  port: number;
  dataDir: string;
}

function ownerIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('PostgreSQL refuses to run as root and there is no `postgres` user to run it as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export function findPostgres(binDir = POSTGRES_BIN_DIR): string {
  if (!existsSync(join(binDir, 'postgres')) || !existsSync(join(binDir, 'initdb'))) {
    throw new Error(`No PostgreSQL found in ${binDir} (install postgresql-15, or pass its bin directory)`);
  }
  return binDir;
}

/** initdb (once per directory), then the server on 127.0.0.1:port; resolves when it accepts connections. */
export async function startPostgres(options: PostgresOptions, log: (msg: string) => void): Promise<PostgresServer> {
  const binDir = findPostgres(options.binDir);
  const dir = resolve(options.dir);
  const dataDir = join(dir, 'data');
  const ids = ownerIds();
  mkdirSync(dir, { recursive: true });
  if (ids) chownSync(dir, ids.uid, ids.gid);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`postgres: initdb ${dataDir}`);
    execFileSync(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', POSTGRES_USER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
      {
        cwd: dir,
        stdio: 'pipe',
        ...(ids ?? {}),
      },
    );
  }
  await assertPortFree(options.port, 'the PostgreSQL port');
  log(`postgres: starting on 127.0.0.1:${options.port}`);
  const server = await spawnServer({
    name: 'PostgreSQL',
    command: join(binDir, 'postgres'),
    args: [
      '-D',
      dataDir,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dir}`,
      // Temporal's four services hold up to 30 connections each (config maxConns × services).
      '-c',
      'max_connections=300',
    ],
    cwd: dir,
    logFile: options.logFile ?? join(dir, 'postgres.log'),
    pidFile: join(dir, 'postgres.pid'),
    port: options.port,
    uid: ids?.uid,
    gid: ids?.gid,
  });
  return {
    pid: server.pid,
    port: options.port,
    dataDir,
    async stop(graceMs = 10_000) {
      // SIGTERM is PostgreSQL's "smart" shutdown, which waits for every client to leave; SIGINT ("fast")
      // ends their sessions and checkpoints: what a stop means here.
      if (isAlive(server.pid)) {
        try {
          process.kill(server.pid, 'SIGINT');
        } catch {}
        const deadline = Date.now() + graceMs;
        while (isAlive(server.pid) && Date.now() < deadline) await sleep(50);
      }
      await stopPid(server.pid, 1_000);
      await server.stop(0);
    },
  };
}
