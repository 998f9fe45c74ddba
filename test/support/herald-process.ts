// Herald as a real child process (`src/main.ts`, or `npm start` itself), so that a test can SIGKILL it
// by PID and a benchmark can read its CPU time from /proc. Readiness is the API port accepting
// connections, which main.ts opens only once the worker runs.
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, spawnServer } from '../../src/dev-stack/processes.js';
import { reapOnExit, released } from './reaper.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface HeraldProcessOptions {
  /** Herald's configuration (HERALD_API_PORT is required); the rest of this process's environment is passed on. */
  env: Record<string, string>;
  /** Where the log and PID files go. */
  dir: string;
  /**
   * `main`: node running src/main.ts (one process). `npm-start`: `npm start`, a process group. `dist`:
   * node running the compiled dist/src/main.js (`npm run build` first), as `npm run start:prod` does.
   */
  entry?: 'main' | 'npm-start' | 'dist';
  /** Extra node flags for `main`, e.g. ['--cpu-prof'] (NODE_OPTIONS refuses that one). */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

export interface HeraldProcess {
  pid: number;
  url: string;
  logFile: string;
  /** SIGKILL (the whole process group for `npm-start`), and waits until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (to the whole group for `npm-start`, as Ctrl-C would), and waits until it is gone. */
  stop(): Promise<void>;
}

/** This process's environment without any Herald, Temporal or MongoDB setting, except where the tools are. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['TEMPORAL_CLI_PATH', 'FERRETDB_PATH', 'MONGOD_PATH']);
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => keep.has(key) || !/^(HERALD_|TEMPORAL_|MONGODB_)/.test(key)));
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

let started = 0;

export async function startHeraldProcess(options: HeraldProcessOptions): Promise<HeraldProcess> {
  const port = Number(options.env.HERALD_API_PORT);
  if (!port) throw new Error('startHeraldProcess needs HERALD_API_PORT');
  const entry = options.entry ?? 'main';
  const name = `herald-${++started}`;
  const logFile = join(options.dir, `${name}.log`);
  const node = entry !== 'npm-start';
  const managed = await spawnServer({
    name: { main: 'Herald (src/main.ts)', 'npm-start': 'Herald (npm start)', dist: 'Herald (dist/src/main.js)' }[entry],
    command: node ? process.execPath : 'npm',
    args: {
      main: [...(options.nodeArgs ?? []), '--import', 'tsx', 'src/main.ts'],
      'npm-start': ['start', '--silent'],
      dist: [...(options.nodeArgs ?? []), 'dist/src/main.js'],
    }[entry],
    cwd: REPO_ROOT,
    env: { ...cleanEnv(), ...options.env },
    logFile,
    pidFile: join(options.dir, `${name}.pid`),
    port,
    readyTimeoutMs: options.readyTimeoutMs ?? 180_000,
  });
  const pid = managed.pid;
  reapOnExit(pid, node ? 'process' : 'group');
  const kill = async () => {
    try {
      process.kill(node ? pid : -pid, 'SIGKILL');
    } catch {}
    while (node ? isAlive(pid) : groupAlive(pid)) await sleep(20);
    released(pid);
  };
  return {
    pid,
    url: `http://127.0.0.1:${port}`,
    logFile,
    kill,
    async stop() {
      if (node) {
        await managed.stop(40_000);
        released(pid);
        return;
      }
      // npm may exit before its child has finished shutting down: wait for the whole group.
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {}
      const deadline = Date.now() + 40_000;
      while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
      if (groupAlive(pid)) await kill();
      released(pid);
    },
  };
}
