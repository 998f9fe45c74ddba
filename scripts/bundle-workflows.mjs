// `npm run build`, after tsc: bundles the compiled workflows (dist/workflows) once, ahead of time, into
// dist/workflow-bundle.js. A worker started from dist/ loads that file (src/temporal/worker.ts) instead
// of bundling at every start (seconds of CPU, and webpack in a production image).
//
// Plain .mjs: it runs where the build runs, with or without tsx. The bundle holds only workflow code;
// the sandbox patches of scripts/patch-temporal-vm.mjs live in @temporalio/worker itself and apply as before.
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const workflowsPath = fileURLToPath(new URL('../dist/workflows/index.js', import.meta.url));
// The tracing interceptors are in every bundle (src/temporal/workflow-paths.ts): a worker given a bundle
// takes its workflow interceptors from it, not from its options.
const interceptorsPath = fileURLToPath(new URL('../dist/workflows/interceptors.js', import.meta.url));
const bundlePath = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));
if (!existsSync(workflowsPath)) {
  process.stderr.write(`bundle-workflows: ${workflowsPath} is missing; run tsc -p tsconfig.build.json first\n`);
  process.exit(1);
}
const quiet = () => {};
const loud = (message) => process.stderr.write(`bundle-workflows: ${message}\n`);
const { code } = await bundleWorkflowCode({
  workflowsPath,
  workflowInterceptorModules: [interceptorsPath],
  logger: { trace: quiet, debug: quiet, info: quiet, warn: loud, error: loud, log: quiet },
});
writeFileSync(bundlePath, code);
process.stdout.write(`bundle-workflows: ${bundlePath} (${(code.length / 1024).toFixed(0)} KiB)\n`);
