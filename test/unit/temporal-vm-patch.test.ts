// The postinstall patch (scripts/patch-temporal-vm.mjs) must be in the installed SDK: without it every
// workflow activation starts and joins a watchdog thread (≈ 5 ms of CPU per delivery, see the script).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const reusableVm = fileURLToPath(new URL('../../node_modules/@temporalio/worker/lib/workflow/reusable-vm.js', import.meta.url));

it('the installed Temporal worker enters the workflow sandbox without a vm timeout per activation', () => {
  const source = readFileSync(reusableVm, 'utf8');
  const call = source.slice(source.indexOf('callIntoVmScript.runInContext(context, {'));
  const options = call.slice(0, call.indexOf('})'));
  expect(options).toContain('herald: no vm watchdog per activation');
  expect(options).not.toContain('timeout');
});
