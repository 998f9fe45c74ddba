// The watcher each embedded server runs under (src/dev-stack/parent-watcher.ts): the server ends when the
// pipe from its parent closes, which the kernel does when the parent dies by any signal. Here the parent is a
// throwaway Node process killed with SIGKILL, and the "server" is `sleep`. The whole `npm start` case is in
// test/faults/npm-start-crash.test.ts.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { watchedCommand } from '../../src/dev-stack/parent-watcher.js';
import { isAlive } from '../../src/dev-stack/processes.js';

const PARENT = `
const { spawn } = require('node:child_process');
const [command, ...args] = JSON.parse(process.argv[1]);
const watcher = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
watcher.stdout.once('data', (pid) => process.stdout.write(String(pid)));
setInterval(() => {}, 1000);
`;

it('a SIGKILL of the parent stops the watched process', async () => {
  const { command, args } = watchedCommand('sleep', ['600'], 1_000);
  const parent = spawn(process.execPath, ['-e', PARENT, JSON.stringify([command, ...args])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(parent.stdout, 'data')) as [Buffer];
  const sleeper = Number(chunk.toString().trim());
  expect(isAlive(sleeper)).toBe(true);

  parent.kill('SIGKILL');
  await expect.poll(() => isAlive(sleeper), { timeout: 10_000, interval: 50 }).toBe(false);
});

it('the watcher passes its exit code on when the process ends by itself', async () => {
  const { command, args } = watchedCommand('sh', ['-c', 'exit 7']);
  const watcher = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  const [code] = await once(watcher, 'exit');
  expect(code).toBe(7);
});
