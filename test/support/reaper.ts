// A safety net for harness code that spawns servers and Herald processes (detached, so that a test
// can kill them by PID): whatever is still registered when this process exits — a test that timed
// out, an interrupted benchmark — is killed, so no server or Herald outlives the run that started it.

const live = new Map<number, 'process' | 'group'>();
let hooked = false;

export function reapOnExit(pid: number, scope: 'process' | 'group' = 'process'): void {
  live.set(pid, scope);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const [target, kind] of live) {
      try {
        process.kill(kind === 'group' ? -target : target, 'SIGKILL');
      } catch {}
    }
  });
}

/** Stopped on purpose: nothing to reap. */
export function released(pid: number): void {
  live.delete(pid);
}
