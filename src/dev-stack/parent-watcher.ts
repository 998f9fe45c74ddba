// The embedded servers must end with Herald, however Herald ends: a SIGKILL of `npm start`'s process
// group (an OOM kill, a `kill -9`) gives Herald no chance to stop them. They cannot share Herald's
// process group either: a Ctrl-C in the terminal would reach them at once, before Herald has drained its
// in-flight deliveries (which need both servers). So each server is started by a tiny watcher in its own
// process group, whose stdin is a pipe from Herald. Only Herald holds the pipe's write end (Node opens
// pipes close-on-exec), so the kernel closes it when Herald's process ends, by any signal; the watcher
// reads end-of-file and stops its server (SIGTERM, SIGKILL after a grace). The watcher also passes on a
// SIGTERM/SIGINT/SIGHUP it is sent, and exits with its server's exit code when the server ends on its own.
//
// Plain JavaScript run with `node -e`, so that it works the same under tsx (`npm start`) and from the
// compiled dist/ (no file to locate or copy). Its first line on stdout is the server's PID.

/** Seconds a server has after its parent died before it is killed: short, since nobody waits for it. */
export const WATCHER_GRACE_MS = 3_000;

const WATCHER_SOURCE = `
const { spawn } = require('node:child_process');
const [graceMs, command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: ['ignore', 2, 2] });
let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  try { child.kill(signal); } catch {}
  setTimeout(() => { try { child.kill('SIGKILL'); } catch {} }, Number(graceMs)).unref();
};
child.once('error', (error) => { process.stderr.write('watcher: ' + error.message + '\\n'); process.exit(127); });
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
if (child.pid !== undefined) process.stdout.write(child.pid + '\\n');
process.stdin.on('end', () => stop('SIGTERM'));
process.stdin.on('close', () => stop('SIGTERM'));
process.stdin.on('error', () => stop('SIGTERM'));
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => stop(signal));
`;

/** The command line that runs `command args` under a watcher of this process (see above). */
export function watchedCommand(command: string, args: string[], graceMs = WATCHER_GRACE_MS): { command: string; args: string[] } {
  return { command: process.execPath, args: ['-e', WATCHER_SOURCE, String(graceMs), command, ...args] };
}
