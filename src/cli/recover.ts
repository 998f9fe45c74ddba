// `herald deliveries recover <webhook-id> --since <time>`: starts the recovery, then follows its progress
// (deliveries.recover_status) with a progress bar on stderr until it finishes; --no-wait answers at once.
import { SingleBar } from 'cli-progress';
import type { HeraldClient } from '../client/index.js';

type RecoverInput = Parameters<HeraldClient['deliveries']['recover']['mutate']>[0];
type RecoveryStatus = Awaited<ReturnType<HeraldClient['deliveries']['recover_status']['query']>>;

const POLL_MS = 500;

export async function recoverWithProgress(client: HeraldClient, input: RecoverInput, wait: boolean): Promise<unknown> {
  const started = await client.deliveries.recover.mutate(input);
  if (!wait) return started;
  const bar = new SingleBar({
    format: 'recovering {bar} {value}/{total} replayed ({failed} could not be)',
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(started.total, 0, { failed: 0 });
  let status: RecoveryStatus;
  try {
    for (;;) {
      status = await client.deliveries.recover_status.query({ recovery_id: started.recovery_id });
      bar.setTotal(status.total);
      bar.update(status.done + status.failed, { failed: status.failed });
      if (status.finished) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    bar.stop();
  }
  return status;
}
