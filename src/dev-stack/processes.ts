// Starting and stopping the embedded servers as child processes, by PID, with PID files so that a
// server orphaned by a crash of Herald is found and stopped on the next start.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchedCommand } from './parent-watcher.js';

export interface ManagedProcess {
  pid: number;
  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`) and removes its PID file. */
  stop(graceMs?: number): Promise<void>;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\u0000', ' ');
  } catch {
    return '';
  }
}

export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
    while (isAlive(pid)) await sleep(20);
  }
}

/**
 * A PID file left by an earlier run whose process still runs the same binary is an orphan (Herald
 * died without stopping it): stop it, so that its port and data files are free again.
 */
export async function stopOrphan(pidFile: string, binary: string, log: (msg: string) => void): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && commandLine(pid).includes(binary)) {
    log(`stopping ${binary} (pid ${pid}) left running by an earlier Herald process`);
    await stopPid(pid);
  }
  rmSync(pidFile, { force: true });
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Asks the OS for a free port (used by tests and when a port is configured as 0). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class PortBusyError extends Error {
  constructor(variable: string, port: number) {
    super(`Port ${port} is already in use. Stop whatever listens there or set ${variable} to another port.`);
    this.name = 'PortBusyError';
  }
}

export async function assertPortFree(port: number, variable: string): Promise<void> {
  if (!(await isPortFree(port))) throw new PortBusyError(variable, port);
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  port: number;
  cwd?: string;
  /** Defaults to this process's environment. */
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  /** Run as another user (root only): PostgreSQL refuses to run as root. */
  uid?: number;
  gid?: number;
  /**
   * Start it under a watcher that stops it when this process ends, even by SIGKILL (parent-watcher.ts).
   * `pid` is still the server's own PID.
   */
  endWithParent?: boolean;
}

/** Spawns a server with its output going to a log file, and resolves once its port accepts connections. */
export async function spawnServer(options: SpawnOptions): Promise<ManagedProcess> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const out = openSync(options.logFile, 'a');
  const { command, args } = options.endWithParent ? watchedCommand(options.command, options.args) : options;
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: options.endWithParent ? ['pipe', 'pipe', out] : ['ignore', out, out],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
    // Its own process group: a Ctrl-C in the terminal reaches Herald, which then stops the server in order.
    detached: true,
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  child.unref();

  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  let pid = child.pid;
  if (options.endWithParent) {
    // The pipe must not keep this process alive; it is closed by the kernel when this process ends.
    (child.stdin as Socket).unref();
    pid = await watchedPid(child, options.name, options.logFile);
  }
  writeFileSync(options.pidFile, String(pid));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (!(await canConnect(options.port, '127.0.0.1'))) {
    if (exited !== undefined) {
      throw new Error(`${options.name} exited with code ${exited} before it was ready; see ${options.logFile}`);
    }
    if (Date.now() > deadline) {
      await stopPid(pid, 1_000);
      throw new Error(`${options.name} did not open port ${options.port} in time; see ${options.logFile}`);
    }
    await sleep(100);
  }

  return {
    pid,
    async stop(graceMs) {
      await stopPid(pid, graceMs);
      rmSync(options.pidFile, { force: true });
    },
  };
}

/** The server's PID, the first line its watcher writes. */
function watchedPid(child: ChildProcess, name: string, logFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const stdout = child.stdout as Socket;
    const fail = () => reject(new Error(`could not start ${name}; see ${logFile}`));
    stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      stdout.destroy();
      child.off('exit', fail);
      const pid = Number(text.slice(0, newline));
      if (Number.isInteger(pid) && pid > 0) resolve(pid);
      else fail();
    });
    child.once('exit', fail);
  });
}

/** The first executable called `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

/** Go's version and GOPATH, or undefined when no Go toolchain is installed. */
export function goToolchain(): { version: [number, number]; gopath: string } | undefined {
  try {
    const [goversion = '', gopath = ''] = execFileSync('go', ['env', 'GOVERSION', 'GOPATH'], { encoding: 'utf8' }).split('\n');
    const match = /^go(\d+)\.(\d+)/.exec(goversion.trim());
    if (!match) return undefined;
    return { version: [Number(match[1]), Number(match[2])], gopath: gopath.trim() };
  } catch {
    return undefined;
  }
}

export function goAtLeast(go: { version: [number, number] }, major: number, minor: number): boolean {
  const [ma, mi] = go.version;
  return ma > major || (ma === major && mi >= minor);
}
