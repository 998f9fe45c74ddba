// Builds the embedded servers from their Go modules when no binary is installed. Slow the first time
// (minutes), so it prints progress; the result is cached under GOPATH and reused by every later start.
import { spawn } from 'node:child_process';

export function runWithProgress(
  label: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv },
  log: (msg: string) => void,
): Promise<void> {
  const started = Date.now();
  log(`${label}: ${command} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const ticker = setInterval(() => log(`${label}: still working (${Math.round((Date.now() - started) / 1000)} s)…`), 15_000);
    child.once('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.once('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) {
        log(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve();
      } else {
        reject(new Error(`${label} failed (exit ${code}):\n${output}`));
      }
    });
  });
}
