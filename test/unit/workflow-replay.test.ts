// Replays the histories under test/histories/ against the current workflow code: those the workflow
// tests record (`npm run test:record-histories`, see docs/testing.md) and, under dev-server/, histories
// recorded from a whole Herald on the dev server (kept as they were). A change that
// alters a running workflow's command sequence without a `patched()` guard fails here, as it would
// fail every delivery, health or fan-out workflow in flight at the upgrade. No server: the SDK's
// replay worker runs the histories in-process.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { installTemporalRuntime } from '../../src/temporal/runtime.js';
import { WORKFLOW_BUNDLE } from '../../src/temporal/worker.js';
import { tracingOff } from '../../src/tracing/tracing.js';
import { HISTORIES_DIR } from '../support/histories-dir.js';
import { historyFromJsonText } from '../support/history-json.js';

/** Each history file, by name (without .json), recursively (one folder per recording may be added). */
function historyFiles(dir: string, prefix = ''): Array<{ name: string; path: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return historyFiles(join(dir, entry.name), `${prefix}${entry.name}/`);
    return entry.name.endsWith('.json') ? [{ name: `${prefix}${entry.name.slice(0, -'.json'.length)}`, path: join(dir, entry.name) }] : [];
  });
}

describe('recorded workflow histories', () => {
  const files = historyFiles(HISTORIES_DIR);

  it('include every kind the workflow tests record', () => {
    const names = files.map((f) => f.name);
    for (const expected of [
      'delivery-succeeded-first-try',
      'delivery-retried-then-succeeded',
      'delivery-failed-after-schedule',
      'delivery-gone',
      'delivery-deferred-then-succeeded',
      'delivery-parked-then-released',
      'health-unhealthy-then-enabled',
      'health-gone',
      'health-continue-as-new.run-1',
      'health-continue-as-new.run-2',
      'fan-out.run-1',
      // Recorded while same-seq reports applied under `patched()` (now deprecatePatch): such runs exist.
      'same-seq-patched/health-unhealthy-then-enabled',
      'same-seq-patched/health-continue-as-new.run-1',
      // Recorded on the dev server by a whole Herald (issue 14): before and with a deferred attempt.
      'dev-server/delivery-succeeded',
      'dev-server/delivery-retried',
      'dev-server/delivery-parked-released',
      'dev-server/delivery-deferred',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('replay on the current workflow code', async () => {
    installTemporalRuntime('info');
    const histories = files.map((file) => ({ workflowId: file.name, history: historyFromJsonText(readFileSync(file.path, 'utf8')) }));
    const failures: Record<string, string> = {};
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      {
        workflowsPath: WORKFLOW_BUNDLE.workflowsPath,
        // The tracing interceptors are in every bundle (workflows/interceptors.ts): the histories replay with them.
        interceptors: { workflowModules: WORKFLOW_BUNDLE.workflowInterceptorModules },
        sinks: tracingOff().sinks,
        replayName: 'recorded-histories',
      },
      histories,
    )) {
      replayed++;
      if (result.error) failures[result.workflowId] = `${result.error.name}: ${result.error.message}`;
    }
    expect(failures).toEqual({});
    expect(replayed).toBe(files.length);
  });
});
