// The Python client generated from openapi.json (npm run build:python-client) against a live Herald:
// a small program run by the virtual environment's python creates a webhook, publishes an event and
// lists the webhook's deliveries until the delivery succeeded. Nothing of the client is hand-written.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPythonClient, PYTHON_VENV } from '../../scripts/build-python-client.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

const run = promisify(execFile);

const PROGRAM = `
import json, os, sys, time
from herald_client import AuthenticatedClient
from herald_client.api.webhooks import webhooks_create
from herald_client.api.events import events_publish
from herald_client.api.deliveries import deliveries_list
from herald_client.models import Error, EventsPublishBody, EventsPublishBodyData, WebhooksCreateBody

client = AuthenticatedClient(base_url=os.environ["HERALD_URL"], token=os.environ["HERALD_API_KEY"])

webhook = webhooks_create.sync(client=client, body=WebhooksCreateBody(url=os.environ["RECEIVER_URL"], event_types=["message.received"], name="python"))
if isinstance(webhook, Error) or webhook is None:
    sys.exit(f"webhooks.create: {webhook}")

data = EventsPublishBodyData.from_dict({"message": {"id": "msg_py_1", "from": "a@example.com", "to": ["agent@example.com"], "subject": "from python"}})
event = events_publish.sync(client=client, body=EventsPublishBody(type_="message.received", data=data, event_id="evt_python_1", inbox_id="inbox_py"))
if isinstance(event, Error) or event is None:
    sys.exit(f"events.publish: {event}")

# The delivery runs on Herald's worker: poll the list, with a deadline.
deadline = time.monotonic() + 120
while True:
    page = deliveries_list.sync(client=client, webhook_id=webhook.id)
    if isinstance(page, Error) or page is None:
        sys.exit(f"deliveries.list: {page}")
    if page.deliveries and page.deliveries[0].status.value == "succeeded":
        break
    if time.monotonic() > deadline:
        sys.exit(f"no succeeded delivery: {[d.to_dict() for d in page.deliveries]}")
    time.sleep(0.2)

# A bad input comes back as the generated Error model, with the field named.
bad = webhooks_create.sync(client=client, body=WebhooksCreateBody(url="not a url", event_types=["message.received"]))

print(json.dumps({
    "webhook_id": webhook.id,
    "secret": webhook.secret,
    "event_id": event.id,
    "delivery": page.deliveries[0].to_dict(),
    "bad_input": bad.to_dict() if isinstance(bad, Error) else repr(bad),
}))
`;

let herald: TestHerald;
let receiver: Receiver;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-python-client-'));
  [herald, receiver] = await Promise.all([startTestHerald(), startReceiver()]);
});

afterAll(async () => {
  await Promise.allSettled([herald?.stop(), receiver?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the generated Python client', () => {
  it('creates a webhook, publishes an event and lists its delivery against a live Herald', async () => {
    const out = buildPythonClient(join(dir, 'herald-client'));
    const programPath = join(dir, 'program.py');
    writeFileSync(programPath, PROGRAM);
    const { apiKey, accountId } = await herald.newAccount('python');

    const { stdout } = await run(join(PYTHON_VENV, 'bin/python'), [programPath], {
      env: { ...process.env, PYTHONPATH: out, HERALD_URL: herald.url, HERALD_API_KEY: apiKey, RECEIVER_URL: `${receiver.url}/python` },
      timeout: 240_000,
    });
    const result = JSON.parse(stdout);

    expect(result.secret).toMatch(/^whsec_/);
    expect(result.delivery).toMatchObject({
      webhook_id: result.webhook_id,
      event_id: 'evt_python_1',
      event_type: 'message.received',
      status: 'succeeded',
    });
    expect(result.bad_input).toMatchObject({ name: expect.any(String), errors: [expect.objectContaining({ path: 'url' })] });
    // The receiver got the event the program published, for this account.
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      event: 'message.received',
      event_id: 'evt_python_1',
      account_id: accountId,
      inbox_id: 'inbox_py',
    });
    // A limit, not a measure: generating the client and a Herald delivery on a busy machine.
  }, 300_000);
});
