// Delivery workflow histories recorded from earlier code must replay on the current workflow code (a
// change that would break running workflows fails here). test/fixtures/histories/: `delivery-succeeded`,
// `delivery-retried` (503, timer, 200) and `delivery-parked-released` (disabled, parked, released by the
// health workflow's update) were recorded before attempts could be deferred; `delivery-deferred` after
// (deferred behind HERALD_MAX_IN_FLIGHT_PER_WEBHOOK=1, then one attempt). Binary protobuf from
// `handle.fetchHistory()` (`History.encode`): this install's `historyFromJSON` cannot read JSON histories
// (@temporalio/common's protobufjs 8 protojson does not accept @temporalio/proto's protobufjs 7 types).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { expect, inject, it } from 'vitest';

const dir = join(import.meta.dirname, '../fixtures/histories');
const files = readdirSync(dir).filter((file) => file.endsWith('.binpb'));
const { History } = proto.temporal.api.history.v1;

it('replays every recorded delivery history without a nondeterminism error', async () => {
  expect(files.length).toBeGreaterThanOrEqual(4);
  const histories = files.map((file) => ({
    workflowId: file.replace(/\.binpb$/, ''),
    history: History.decode(readFileSync(join(dir, file))),
  }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});
