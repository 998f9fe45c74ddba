// The postinstall patches (scripts/patch-temporal-vm.mjs) must be in the installed SDK: without them
// every workflow activation starts and joins a watchdog thread (≈ 5 ms of CPU per delivery) and every
// promise in workflow code formats a stack trace (see the script).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const sdkFile = (name: string) => fileURLToPath(new URL(`../../node_modules/@temporalio/worker/lib/workflow/${name}`, import.meta.url));

it('the installed Temporal worker enters the workflow sandbox without a vm timeout per activation', () => {
  const source = readFileSync(sdkFile('reusable-vm.js'), 'utf8');
  const call = source.slice(source.indexOf('callIntoVmScript.runInContext(context, {'));
  const options = call.slice(0, call.indexOf('displayErrors'));
  expect(options).toContain('herald: no vm watchdog per activation');
  // The stock timeout only with the speed-up switched off (HERALD_SPEEDUP_VM_PATCH=off, src/temporal/worker.ts).
  const off = "...(process.env.__HERALD_VM_PATCH === 'off' ? { timeout: isolateExecutionTimeoutMs } : {}),";
  expect(options).toContain(off);
  expect(options.replace(off, '')).not.toContain('timeout');
});

it('the installed Temporal worker installs no promise hook for stack traces', () => {
  const source = readFileSync(sdkFile('vm-shared.js'), 'utf8');
  const install = source.slice(source.indexOf('    install() {'), source.indexOf('    uninstall() {'));
  expect(install).toContain('herald: no promise stack traces');
  expect(install).toContain("if (process.env.__HERALD_VM_PATCH === 'off') this.setPromiseHook();");
});
