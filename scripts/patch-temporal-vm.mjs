// postinstall: removes two costs that @temporalio/worker's workflow sandbox pays on every activation.
//
// 1. The `vm` timeout armed on every entry into the sandbox. Node enforces a `vm` timeout with a
// watchdog thread that it creates and joins on every call (nodejs/node#47739), ≈ 70 µs of CPU each, and the SDK enters the sandbox several times per workflow
// task. `npm run bench` measured 19.2 → 13.8 ms of Herald CPU per delivery without it (the Temporal
// baseline's worker gains the same, since it loads this same package). What is given up: the SDK's 5 s
// "potential deadlock" error for workflow code stuck in a synchronous loop; Herald's workflows are small,
// deterministic and linted, and a stuck task still times out on the server.
//
// 2. The promise hook that records a stack trace (a new Error, formatted through source maps) for every
// promise created in workflow code, kept only to answer the stack-trace query (the UI's "Stack Trace"
// tab). Without it the SDK runs as it does where promise hooks are unavailable (it handles that case):
// the stack-trace query answers "Workflow stack traces are not enabled on this worker". ≈ 1–1.5 ms of
// CPU per delivery in A/B runs of `npm run bench`.
//
// Both are a speed-up with a switch (docs/speed-ups.md): HERALD_SPEEDUP_VM_PATCH=off (or HERALD_SPEEDUPS=off)
// makes src/app.ts set the process-internal marker `__HERALD_VM_PATCH=off` before the worker's threads
// start (they copy the environment), and the patched code then does what the stock SDK does.
//
// Plain .mjs (not tsx): it runs inside `npm ci`, also where dev dependencies are left out. Idempotent;
// fails the install if @temporalio/worker changed shape, so an upgrade cannot drop it silently.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The speed-up is off in this process (its worker threads inherit the marker): the stock SDK's behaviour. */
const OFF = `process.env.__HERALD_VM_PATCH === 'off'`;

const PATCHES = [
  {
    file: 'reusable-vm.js',
    // The one call made per activation: the workflow module's proxy into the sandbox.
    original: `return callIntoVmScript.runInContext(context, {
                        timeout: isolateExecutionTimeoutMs,`,
    // What this script wrote before the switch existed (upgraded in place).
    previous: `return callIntoVmScript.runInContext(context, {
                        /* herald: no vm watchdog per activation (scripts/patch-temporal-vm.mjs) */`,
    patched: `return callIntoVmScript.runInContext(context, {
                        /* herald: no vm watchdog per activation (scripts/patch-temporal-vm.mjs) */
                        ...(${OFF} ? { timeout: isolateExecutionTimeoutMs } : {}),`,
  },
  {
    file: 'vm-shared.js',
    original: `            this.setPromiseHook();
            this.installed = true;`,
    previous: `            /* herald: no promise stack traces (scripts/patch-temporal-vm.mjs) */
            this.installed = true;`,
    patched: `            /* herald: no promise stack traces (scripts/patch-temporal-vm.mjs) */
            if (${OFF}) this.setPromiseHook();
            this.installed = true;`,
  },
];

function apply({ file, original, previous, patched }) {
  const path = fileURLToPath(new URL(`../node_modules/@temporalio/worker/lib/workflow/${file}`, import.meta.url));
  if (!existsSync(path)) return `${file} absent`;
  const source = readFileSync(path, 'utf8');
  if (source.includes(patched)) return `${file} patched already`;
  const from = source.includes(original) ? original : source.includes(previous) ? previous : undefined;
  if (!from) throw new Error(`${path} has changed: update scripts/patch-temporal-vm.mjs for this SDK version`);
  writeFileSync(path, source.replace(from, patched));
  return `${file} patched`;
}

process.stdout.write(`patch-temporal-vm: ${PATCHES.map(apply).join(', ')}\n`);
