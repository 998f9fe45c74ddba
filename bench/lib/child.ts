// Bench child processes (the limit loop, the Temporal baseline): node with tsx, JSON lines on stdout
// to report, lines on stdin to be told when to go. In their own process so that their CPU time is
// theirs alone, as Herald's is.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../../test/support/herald-process.js';

export interface BenchChild {
  pid: number;
  /** The next message with this `event` field. */
  next<T = Record<string, unknown>>(event: string, timeoutMs?: number): Promise<T>;
  send(line: string): void;
  /** Closes its stdin (a child waiting for a line then ends) and resolves with its exit code. */
  end(): Promise<number | null>;
}

export function startChild(script: string, input: unknown): BenchChild {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(input)], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (child.pid === undefined || !child.stdout || !child.stdin) throw new Error(`could not start ${script}`);
  const stdin = child.stdin;
  const messages: Array<Record<string, unknown>> = [];
  let wake: (() => void) | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      messages.push(JSON.parse(line));
      wake?.();
    } catch {
      process.stderr.write(`[${script}] ${line}\n`);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    wake?.();
  });
  return {
    pid: child.pid,
    async next<T>(event: string, timeoutMs = 300_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = messages.findIndex((m) => m.event === event);
        if (index >= 0) return messages.splice(index, 1)[0] as T;
        const failure = messages.find((m) => m.event === 'error');
        if (failure) throw new Error(`${script}: ${String(failure.message)}`);
        if (done) throw new Error(`${script} exited before sending "${event}"`);
        if (Date.now() > deadline) throw new Error(`${script} did not send "${event}" in time`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1_000).unref();
        });
      }
    },
    send(line) {
      if (!done) stdin.write(`${line}\n`);
    },
    end() {
      stdin.end();
      return exited;
    },
  };
}

/** For the child side: one JSON line per message. */
export function report(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

let childLines: AsyncIterator<string> | undefined;

/** For the child side: resolves with the next line from the parent ('' once stdin closes). */
export async function nextLine(): Promise<string> {
  childLines ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const { value, done } = await childLines.next();
  return done ? '' : value;
}
