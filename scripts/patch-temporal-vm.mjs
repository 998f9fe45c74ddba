// postinstall: stops @temporalio/worker from arming a `vm` timeout on every workflow activation.
//
// Why: Node enforces a `vm` timeout with a watchdog thread that it creates and joins on every call
// (nodejs/node#47739), ≈ 70 µs of CPU each, and the SDK enters the sandbox several times per workflow
// task. `npm run bench` measured 19.2 → 13.8 ms of Herald CPU per delivery without it (the Temporal
// baseline's worker gains the same, since it loads this same package). What is given up: the SDK's 5 s
// "potential deadlock" error for workflow code stuck in a synchronous loop; Herald's workflows are small,
// deterministic and linted, and a stuck task still times out on the server.
//
// Plain .mjs (not tsx): it runs inside `npm ci`, also where dev dependencies are left out. Idempotent;
// fails the install if @temporalio/worker changed shape, so an upgrade cannot drop it silently.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MARKER = '/* herald: no vm watchdog per activation (scripts/patch-temporal-vm.mjs) */';
const file = fileURLToPath(new URL('../node_modules/@temporalio/worker/lib/workflow/reusable-vm.js', import.meta.url));
// The one call made per activation: the workflow module's proxy into the sandbox.
const ORIGINAL = `return callIntoVmScript.runInContext(context, {
                        timeout: isolateExecutionTimeoutMs,`;
const PATCHED = `return callIntoVmScript.runInContext(context, {
                        ${MARKER}`;

function patchTemporalVm() {
  if (!existsSync(file)) return 'absent';
  const source = readFileSync(file, 'utf8');
  if (source.includes(MARKER)) return 'patched already';
  if (!source.includes(ORIGINAL)) throw new Error(`${file} has changed: update scripts/patch-temporal-vm.mjs for this SDK version`);
  writeFileSync(file, source.replace(ORIGINAL, PATCHED));
  return 'patched';
}

process.stdout.write(`patch-temporal-vm: ${patchTemporalVm()}\n`);
