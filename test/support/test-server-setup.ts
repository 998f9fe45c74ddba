// For the time-skipping workflow tests: finds (or fetches with Maven, once) Temporal's Java test server
// and bundles the workflow code once. Each test file starts its own test server from the wrapper
// (TestWorkflowEnvironment.createTimeSkipping), which the SDK stops by PID at teardown.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { findTemporalTestServer } from '../../src/dev-stack/test-server.js';
import { WORKFLOW_BUNDLE } from '../../src/temporal/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testServerPath: string;
  }
}

export default async function setup(project: TestProject) {
  const log = (msg: string) => process.stdout.write(`[test server] ${msg}\n`);
  const testServerPath = await findTemporalTestServer({ dataDir: process.env.HERALD_DATA_DIR ?? '.herald', log });
  const dir = mkdtempSync(join(tmpdir(), 'herald-wf-test-'));
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const workflowBundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, code);
  project.provide('testServerPath', testServerPath);
  project.provide('workflowBundlePath', workflowBundlePath);
  return () => rmSync(dir, { recursive: true, force: true });
}
