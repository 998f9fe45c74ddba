// The seeds' own webhook APIs (issue 13 §2) against the real stack: every curl example of the seed pages
// runs literally (through `curl` when installed, else replayed with fetch from the same argv), with only
// the base URL, token, ids and webhook URL replaced; AgentMail's JSON request examples are sent as
// written. The answers are checked field for field against the pages, and webhooks made through a face
// deliver signed POSTs (verified with the `standardwebhooks` package) to a real receiver.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAIMON_EXAMPLES } from '../support/daimon-examples.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.js';

const run = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON; the assertions check their shape.
type Json = any;

// ---- The seeds' curl examples, verbatim ----

/** seeds/daimon-create-webhook.txt */
const DAIMON_CREATE = String.raw`curl -X POST https://api.daimon.email/v1/webhooks \
-H "Authorization: Bearer dm_free_7d8a9b0c1d2e3f4g5h6i7j8k9l0m1n2o" \
-H "Content-Type: application/json" \
-d '{
"url": "https://your-agent.com/webhook",
"events": ["message.received"],
"inbox_id": "inb_abc123"
}'`;

/** seeds/daimon-webhook-events.txt, "Filter by Inbox" */
const DAIMON_FILTER_BY_INBOX = String.raw`curl -X POST https://api.daimon.email/v1/webhooks \
  -H "Authorization: Bearer dm_live_account123..." \
  -H "Content-Type: application/json" \
  -d '{
    "url": "https://your-platform.com/webhook/daimon",
    "events": ["message.received"],
    "inbox_id": "inbox_abc123"
  }'`;

/** seeds/daimon-webhook-events.txt, "Filter by Event Type" */
const DAIMON_FILTER_BY_TYPE = String.raw`curl -X POST https://api.daimon.email/v1/webhooks \
  -H "Authorization: Bearer dm_live_account123..." \
  -H "Content-Type: application/json" \
  -d '{
    "url": "https://your-platform.com/webhook/daimon",
    "events": ["message.received", "message.bounced"]
  }'`;

/** seeds/daimon-webhook-events.txt, "Testing Events" */
const DAIMON_TEST = String.raw`curl -X POST https://api.daimon.email/v1/webhooks/wh_abc123/test \
  -H "Authorization: Bearer dm_live_account123..."`;

/** seeds/sendmux-create-webhook.txt */
const SENDMUX_CREATE = String.raw`curl --request POST \
  --url https://app.sendmux.ai/api/v1/webhooks \
  --header 'Authorization: Bearer <token>' \
  --header 'Content-Type: application/json' \
  --data '
{
  "url": "https://hooks.acme.com/sendmux",
  "event_types": [
    "message.bounced",
    "message.received"
  ]
}
'`;

/** seeds/agentmail-webhooks-api.txt, Create Webhook, request example */
const AGENTMAIL_CREATE = {
  client_id: '<string>',
  event_types: ['message.received'],
  inbox_ids: ['<string>'],
  pod_ids: ['<string>'],
  url: '<string>',
};

/** seeds/agentmail-webhooks-api.txt, Update Webhook, request example */
const AGENTMAIL_UPDATE = {
  add_inbox_ids: ['<string>'],
  add_pod_ids: ['<string>'],
  remove_inbox_ids: ['<string>'],
  remove_pod_ids: ['<string>'],
};

/** seeds/daimon-webhook-events.txt, the message.received example (what daimon's /test is documented to send). */
const DAIMON_MESSAGE_RECEIVED = DAIMON_EXAMPLES['message.received'];

// ---- Running a curl example ----

interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: Json;
}

let hasCurl = false;

/** The argv of a shell command line, as bash splits it (quotes, line continuations). */
async function argv(command: string): Promise<string[]> {
  const { stdout } = await run('bash', ['-c', `printf '%s\\0' ${command.replace(/^curl\s/, '')}`]);
  return stdout.split('\0').slice(0, -1);
}

/** Without curl: the same request (method, URL, headers, body) from the command's argv, with fetch. */
async function replay(command: string): Promise<HttpAnswer> {
  const args = await argv(command);
  let method: string | undefined;
  let url = '';
  const headers: Record<string, string> = {};
  let body: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = () => args[++i] as string;
    if (arg === '-X' || arg === '--request') method = next();
    else if (arg === '--url') url = next();
    else if (arg === '-H' || arg === '--header') {
      const [name, ...value] = next().split(':');
      headers[(name as string).trim().toLowerCase()] = value.join(':').trim();
    } else if (arg === '-d' || arg === '--data') body = next().replace(/[\r\n]/g, '');
    else if (!arg.startsWith('-')) url = arg;
    else throw new Error(`replay does not know ${arg}`);
  }
  const response = await fetch(url, { method: method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), text, json: text ? JSON.parse(text) : undefined };
}

async function runCurl(command: string): Promise<HttpAnswer> {
  if (!hasCurl) return replay(command);
  const { stdout } = await run('bash', ['-c', `${command} --silent --show-error --include`]);
  const split = stdout.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = stdout.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  const text = stdout.slice(split + 4);
  return { status: Number(statusLine?.split(' ')[1]), headers, text, json: text ? JSON.parse(text) : undefined };
}

/** A seed's curl example with its host, token, ids and webhook URL replaced, nothing else. */
function adapt(command: string, replacements: Record<string, string>): string {
  let adapted = command;
  for (const [from, to] of Object.entries(replacements)) adapted = adapted.split(from).join(to);
  return adapted;
}

// ---- Plain HTTP for the rest ----

async function http(method: string, path: string, apiKey: string | undefined, body?: unknown, headers: Record<string, string> = {}) {
  const all: Record<string, string> = { ...headers };
  if (apiKey !== undefined) all.authorization = `Bearer ${apiKey}`;
  if (body !== undefined) all['content-type'] = 'application/json';
  const response = await fetch(`${herald.url}${path}`, {
    method,
    headers: all,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), text, json: text ? JSON.parse(text) : undefined };
}

function verifies(secret: string, request: ReceivedRequest): Json {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

let herald: TestHerald;
let receiver: Receiver;
let apiKey: string;
let accountId: string;
let otherKey: string;

beforeAll(async () => {
  hasCurl = await run('which', ['curl']).then(
    () => true,
    () => false,
  );
  herald = await startTestHerald();
  receiver = await startReceiver();
  ({ apiKey, accountId } = await herald.newAccount('compat'));
  otherKey = (await herald.newAccount('someone else')).apiKey;
});
afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
});

const requestsTo = (path: string) => receiver.requests.filter((r) => r.path === path);
async function waitForRequests(path: string, count: number): Promise<ReceivedRequest[]> {
  await expect.poll(() => requestsTo(path).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(count);
  return requestsTo(path);
}

async function publish(type: string, data: Record<string, unknown>, inbox_id?: string) {
  const answer = await http('POST', '/v1/events', apiKey, { type, data, ...(inbox_id ? { inbox_id } : {}) });
  expect(answer.status, answer.text).toBe(200);
  return answer.json;
}

const DAIMON_WEBHOOK_FIELDS = [
  'id',
  'account_id',
  'inbox_id',
  'url',
  'secret',
  'events',
  'status',
  'last_delivered_at',
  'failure_count',
  'created_at',
  'updated_at',
];

describe('daimon.email at /compat/daimon/v1', () => {
  const daimon = (extra: Record<string, string> = {}) => ({
    'https://api.daimon.email': `${herald.url}/compat/daimon`,
    dm_free_7d8a9b0c1d2e3f4g5h6i7j8k9l0m1n2o: apiKey,
    'dm_live_account123...': apiKey,
    ...extra,
  });

  it('creates a webhook with the documented curl and answers { result, next_steps } field for field', async () => {
    const answer = await runCurl(adapt(DAIMON_CREATE, { ...daimon(), 'https://your-agent.com/webhook': `${receiver.url}/daimon-create` }));
    expect(answer.status, answer.text).toBe(200);
    expect(Object.keys(answer.json)).toEqual(['result', 'next_steps']);
    const { result, next_steps } = answer.json;
    expect(Object.keys(result)).toEqual(DAIMON_WEBHOOK_FIELDS);
    expect(result).toEqual({
      id: expect.stringMatching(/^wh_/),
      account_id: accountId,
      inbox_id: 'inb_abc123',
      url: `${receiver.url}/daimon-create`,
      secret: expect.stringMatching(/^whsec_/),
      events: ['message.received'],
      status: 'active',
      last_delivered_at: null,
      failure_count: 0,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    expect(next_steps).toEqual(expect.arrayContaining(['Save the secret to verify webhook signatures']));
    expect(next_steps.every((s: unknown) => typeof s === 'string')).toBe(true);
    // The same webhook through /v1: one inbox, daimon's events as Herald's event types.
    const v1 = await http('GET', `/v1/webhooks/${result.id}`, apiKey);
    expect(v1.json).toMatchObject({ inbox_ids: ['inb_abc123'], event_types: ['message.received'] });
  });

  it('runs both filter examples: by inbox and by event type, and each webhook gets only its events, signed', async () => {
    const byInbox = await runCurl(
      adapt(DAIMON_FILTER_BY_INBOX, { ...daimon(), 'https://your-platform.com/webhook/daimon': `${receiver.url}/daimon-by-inbox` }),
    );
    const byType = await runCurl(
      adapt(DAIMON_FILTER_BY_TYPE, { ...daimon(), 'https://your-platform.com/webhook/daimon': `${receiver.url}/daimon-by-type` }),
    );
    expect(byInbox.status, byInbox.text).toBe(200);
    expect(byType.status, byType.text).toBe(200);
    expect(byInbox.json.result).toMatchObject({ inbox_id: 'inbox_abc123', events: ['message.received'] });
    expect(byType.json.result).toMatchObject({ inbox_id: null, events: ['message.received', 'message.bounced'] });

    // daimon's message.received example, published for its inbox and for another one.
    const { event, event_id, timestamp, account_id, inbox_id, ...fields } = DAIMON_MESSAGE_RECEIVED;
    await publish('message.received', fields, inbox_id);
    await publish('message.received', fields, 'inbox_other');
    // daimon's own message.bounced example (seeds/daimon-webhook-events.txt), its envelope fields aside,
    // published without an inbox: only the by-type webhook gets it.
    const { event: _e, event_id: _id, timestamp: _t, account_id: _a, inbox_id: _i, ...bounced } = DAIMON_EXAMPLES['message.bounced'];
    await publish('message.bounced', bounced);
    await publish('message.delivered', { message: { id: 'msg_2', from: 'a@example.com' } });

    const typeRequests = await waitForRequests('/daimon-by-type', 3);
    const inboxRequests = await waitForRequests('/daimon-by-inbox', 1);
    const typesOf = (list: ReceivedRequest[], secret: string) =>
      list.map((r) => verifies(secret, r)).map((b: Json) => `${b.event} ${b.inbox_id ?? '-'}`);
    expect(typesOf(typeRequests, byType.json.result.secret).sort()).toEqual([
      'message.bounced -',
      'message.received inbox_abc123',
      'message.received inbox_other',
    ]);
    const [received] = inboxRequests.map((r) => verifies(byInbox.json.result.secret, r));
    expect(received).toEqual({
      ...DAIMON_MESSAGE_RECEIVED,
      event_id: expect.any(String),
      timestamp: expect.stringMatching(ISO),
      account_id: accountId,
    });
    // Nothing more arrives for the inbox-scoped webhook: the publish of inbox_other was matched already.
    expect(requestsTo('/daimon-by-inbox')).toHaveLength(1);
  });

  it('runs the /test example: a signed sample message.received, daimon’s documented example', async () => {
    const created = await http('POST', '/compat/daimon/v1/webhooks', apiKey, {
      url: `${receiver.url}/daimon-test`,
      events: ['message.bounced'],
    });
    expect(created.status, created.text).toBe(200);
    const { id, secret } = created.json.result;
    const answer = await runCurl(adapt(DAIMON_TEST, { ...daimon(), wh_abc123: id }));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual({
      result: {
        event: 'message.received',
        event_id: expect.any(String),
        success: true,
        status_code: 200,
        duration_ms: expect.any(Number),
        response_body: 'ok',
        error: null,
      },
    });
    const [request] = await waitForRequests('/daimon-test', 1);
    const body = verifies(secret, request as ReceivedRequest);
    expect(body).toEqual({
      ...DAIMON_MESSAGE_RECEIVED,
      event_id: answer.json.result.event_id,
      timestamp: expect.stringMatching(ISO),
      account_id: accountId,
    });
  });

  it('lists, gets, patches, enables and deletes in the same { result } style; secret on create only', async () => {
    const { json } = await http('POST', '/compat/daimon/v1/webhooks', apiKey, {
      url: `${receiver.url}/daimon-crud`,
      events: ['message.received'],
      inbox_id: 'inbox_1',
    });
    const id = json.result.id;

    const got = await http('GET', `/compat/daimon/v1/webhooks/${id}`, apiKey);
    expect(got.status).toBe(200);
    expect(Object.keys(got.json)).toEqual(['result']);
    expect(Object.keys(got.json.result)).toEqual(DAIMON_WEBHOOK_FIELDS.filter((f) => f !== 'secret'));

    const list = await http('GET', '/compat/daimon/v1/webhooks?limit=100', apiKey);
    expect(list.status).toBe(200);
    expect(list.json.next_page_token).toBeNull();
    const listed = list.json.result.find((w: Json) => w.id === id);
    expect(listed).toEqual(got.json.result);
    expect(list.json.result.every((w: Json) => !('secret' in w))).toBe(true);

    const disabled = await http('PATCH', `/compat/daimon/v1/webhooks/${id}`, apiKey, { status: 'disabled' });
    expect(disabled.json.result).toMatchObject({ status: 'disabled' });
    const moved = await http('PATCH', `/compat/daimon/v1/webhooks/${id}`, apiKey, {
      status: 'active',
      inbox_id: 'inbox_2',
      events: ['message.received', 'message.delivered'],
      url: `${receiver.url}/daimon-crud-2`,
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.json.result).toMatchObject({
      status: 'active',
      inbox_id: 'inbox_2',
      events: ['message.received', 'message.delivered'],
      url: `${receiver.url}/daimon-crud-2`,
    });
    expect((await http('GET', `/v1/webhooks/${id}`, apiKey)).json.inbox_ids).toEqual(['inbox_2']);
    const everywhere = await http('PATCH', `/compat/daimon/v1/webhooks/${id}`, apiKey, { inbox_id: null });
    expect(everywhere.json.result.inbox_id).toBeNull();

    await http('POST', `/v1/webhooks/${id}/disable`, apiKey);
    const enabled = await http('POST', `/compat/daimon/v1/webhooks/${id}/enable`, apiKey);
    expect(enabled.status, enabled.text).toBe(200);
    expect(enabled.json.result).toMatchObject({ id, status: 'active' });

    const deleted = await http('DELETE', `/compat/daimon/v1/webhooks/${id}`, apiKey);
    expect(deleted.json).toEqual({ result: { id, deleted: true } });
    expect((await http('GET', `/compat/daimon/v1/webhooks/${id}`, apiKey)).status).toBe(404);
  });

  it('shows the first of several inboxes and says so in next_steps', async () => {
    const v1 = await http('POST', '/v1/webhooks', apiKey, {
      url: `${receiver.url}/daimon-multi`,
      event_types: ['message.received'],
      inbox_ids: ['inbox_a', 'inbox_b'],
    });
    const got = await http('GET', `/compat/daimon/v1/webhooks/${v1.json.id}`, apiKey);
    expect(got.json.result.inbox_id).toBe('inbox_a');
    expect(got.json.next_steps).toEqual([expect.stringContaining('2 inboxes (inbox_a, inbox_b)')]);
  });

  it('answers bad input with 400 naming daimon’s field, no key with 401, another account’s webhook with 404', async () => {
    const missing = await http('POST', '/compat/daimon/v1/webhooks', apiKey, { url: `${receiver.url}/x` });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ name: 'ValidationError', errors: [expect.objectContaining({ path: 'events' })] });
    const badType = await http('POST', '/compat/daimon/v1/webhooks', apiKey, { url: `${receiver.url}/x`, events: ['no.such.type'] });
    expect(badType.status).toBe(400);
    expect(badType.json.errors.map((e: Json) => e.path)).toEqual(['events.0']);
    const emptyInbox = await http('POST', '/compat/daimon/v1/webhooks', apiKey, {
      url: `${receiver.url}/x`,
      events: ['message.received'],
      inbox_id: '',
    });
    expect(emptyInbox.status).toBe(400);
    expect(emptyInbox.json.errors.map((e: Json) => e.path)).toEqual(['inbox_id']);
    const badStatus = await http('PATCH', '/compat/daimon/v1/webhooks/wh_x', apiKey, { status: 'unhealthy' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.json.errors.map((e: Json) => e.path)).toEqual(['status']);
    const http1 = await http('POST', '/compat/daimon/v1/webhooks', apiKey, { url: 'ftp://example.com/x', events: ['message.received'] });
    expect(http1.status).toBe(400);
    expect(http1.json.errors.map((e: Json) => e.path)).toEqual(['url']);

    expect((await http('GET', '/compat/daimon/v1/webhooks', undefined)).status).toBe(401);
    const mine = await http('POST', '/compat/daimon/v1/webhooks', apiKey, { url: `${receiver.url}/x`, events: ['message.received'] });
    const id = mine.json.result.id;
    for (const [method, path] of [
      ['GET', `/compat/daimon/v1/webhooks/${id}`],
      ['PATCH', `/compat/daimon/v1/webhooks/${id}`],
      ['DELETE', `/compat/daimon/v1/webhooks/${id}`],
      ['POST', `/compat/daimon/v1/webhooks/${id}/enable`],
      ['POST', `/compat/daimon/v1/webhooks/${id}/test`],
    ] as const) {
      const answer = await http(method, path, otherKey, method === 'PATCH' ? { status: 'disabled' } : undefined);
      expect({ method, path, status: answer.status, name: answer.json.name }).toEqual({ method, path, status: 404, name: 'NotFoundError' });
    }
    expect((await http('GET', `/compat/daimon/v1/webhooks/${id}`, apiKey)).json.result.status).toBe('active');
  });
});

const AGENTMAIL_FIELDS = [
  'webhook_id',
  'url',
  'secret',
  'enabled',
  'updated_at',
  'created_at',
  'event_types',
  'pod_ids',
  'inbox_ids',
  'client_id',
];

describe('AgentMail at /compat/agentmail/v0', () => {
  it('creates, gets, lists, updates and deletes with the documented JSON examples; secret on every read', async () => {
    const body = {
      ...AGENTMAIL_CREATE,
      client_id: 'am-client-1',
      inbox_ids: ['inbox_am'],
      pod_ids: ['pod_am'],
      url: `${receiver.url}/agentmail`,
    };
    const created = await http('POST', '/compat/agentmail/v0/webhooks', apiKey, body);
    expect(created.status, created.text).toBe(200);
    expect(Object.keys(created.json).sort()).toEqual([...AGENTMAIL_FIELDS].sort());
    expect(created.json).toEqual({
      webhook_id: expect.stringMatching(/^wh_/),
      url: `${receiver.url}/agentmail`,
      secret: expect.stringMatching(/^whsec_/),
      enabled: true,
      updated_at: expect.stringMatching(ISO),
      created_at: expect.stringMatching(ISO),
      event_types: ['message.received'],
      pod_ids: ['pod_am'],
      inbox_ids: ['inbox_am'],
      client_id: 'am-client-1',
    });
    const id = created.json.webhook_id;
    const secret = created.json.secret;

    // AgentMail's own SDK example repeats the event type: accepted.
    const sdk = await http('POST', '/compat/agentmail/v0/webhooks', apiKey, {
      url: `${receiver.url}/agentmail-sdk`,
      event_types: ['message.received', 'message.received'],
    });
    expect(sdk.status, sdk.text).toBe(200);
    expect(sdk.json.event_types).toEqual(['message.received']);
    expect('client_id' in sdk.json).toBe(false);

    const got = await http('GET', `/compat/agentmail/v0/webhooks/${id}`, apiKey);
    expect(got.json).toEqual({ ...created.json });
    // The path on AgentMail's API page answers too.
    expect((await http('GET', `/compat/agentmail/agent/v0/webhooks/${id}`, apiKey)).json).toEqual(got.json);

    const list = await http('GET', '/compat/agentmail/v0/webhooks?limit=1&ascending=true', apiKey);
    expect(list.status, list.text).toBe(200);
    expect(Object.keys(list.json).sort()).toEqual(['count', 'limit', 'next_page_token', 'webhooks']);
    expect(list.json).toMatchObject({ count: 1, limit: 1, next_page_token: expect.any(String) });
    expect(Object.keys(list.json.webhooks[0])).toEqual(expect.arrayContaining(AGENTMAIL_FIELDS.filter((f) => f !== 'client_id')));
    expect(list.json.webhooks[0].secret).toMatch(/^whsec_/);
    const all = await http('GET', '/compat/agentmail/v0/webhooks?limit=100', apiKey);
    expect(all.json.count).toBe(all.json.webhooks.length);
    expect('next_page_token' in all.json).toBe(false);
    expect(all.json.webhooks.find((w: Json) => w.webhook_id === id)).toEqual(got.json);
    // Newest first by default.
    const created_ats = all.json.webhooks.map((w: Json) => w.created_at);
    expect([...created_ats].sort().reverse()).toEqual(created_ats);

    const update = {
      ...AGENTMAIL_UPDATE,
      add_inbox_ids: ['inbox_new'],
      add_pod_ids: ['pod_new'],
      remove_inbox_ids: ['inbox_am'],
      remove_pod_ids: ['pod_am'],
    };
    const updated = await http('PATCH', `/compat/agentmail/v0/webhooks/${id}`, apiKey, update);
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json).toMatchObject({ webhook_id: id, inbox_ids: ['inbox_new'], pod_ids: ['pod_new'], secret });

    // The webhook delivers, signed with the secret every read shows.
    await publish('message.received', { message: { id: 'msg_am', from: 'a@example.com' } }, 'inbox_new');
    const [request] = await waitForRequests('/agentmail', 1);
    expect(verifies(secret, request as ReceivedRequest)).toMatchObject({ event: 'message.received', inbox_id: 'inbox_new' });

    const deleted = await http('DELETE', `/compat/agentmail/v0/webhooks/${id}`, apiKey);
    expect(deleted.status).toBe(200);
    expect(deleted.text).toBe('');
    const gone = await http('GET', `/compat/agentmail/v0/webhooks/${id}`, apiKey);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ name: 'NotFoundError', message: expect.any(String) });
  });

  it('answers 400 { name, errors } and 404 { name, message }, also for another account’s webhook', async () => {
    const bad = await http('POST', '/compat/agentmail/v0/webhooks', apiKey, { url: `${receiver.url}/x`, event_types: [], bogus: 1 });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ name: 'ValidationError', errors: { bogus: [expect.any(String)] }, message: expect.any(String) });
    const empty = await http('POST', '/compat/agentmail/v0/webhooks', apiKey, { url: `${receiver.url}/x`, event_types: [] });
    expect(empty.status).toBe(400);
    expect(Object.keys(empty.json.errors)).toEqual(['event_types']);
    for (const query of ['__proto__=1', 'constructor=1', 'bogus=1']) {
      const listed = await http('GET', `/compat/agentmail/v0/webhooks?${query}`, apiKey);
      expect({ query, status: listed.status }).toEqual({ query, status: 400 });
    }
    // Unknown fields named like Object's own properties are fields like any other (the fuzzer found a 500 here).
    for (const field of ['constructor', 'toString', 'hasOwnProperty']) {
      const odd = await http('POST', '/compat/agentmail/v0/webhooks', apiKey, {
        url: `${receiver.url}/x`,
        event_types: ['message.sent'],
        [field]: 1,
      });
      expect({ field, status: odd.status, errors: odd.json.errors }).toEqual({
        field,
        status: 400,
        errors: { [field]: [expect.any(String)] },
      });
    }

    const mine = await http('POST', '/compat/agentmail/v0/webhooks', apiKey, { url: `${receiver.url}/x`, event_types: ['message.sent'] });
    const id = mine.json.webhook_id;
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { add_inbox_ids: ['inbox_x'] }],
      ['DELETE', undefined],
    ] as const) {
      const answer = await http(method, `/compat/agentmail/v0/webhooks/${id}`, otherKey, body);
      expect({ method, status: answer.status, json: answer.json }).toEqual({
        method,
        status: 404,
        json: { name: 'NotFoundError', message: expect.any(String) },
      });
    }
    const list = await http('GET', '/compat/agentmail/v0/webhooks', otherKey);
    expect(list.json.webhooks).toEqual([]);
    expect((await http('GET', '/compat/agentmail/v0/webhooks', undefined)).status).toBe(401);
  });
});

const SENDMUX_FIELDS = ['id', 'name', 'url', 'event_types', 'filters', 'enabled', 'failing', 'created_at', 'updated_at', 'secret'];

describe('Sendmux at /compat/sendmux/api/v1', () => {
  const sendmux = (extra: Record<string, string> = {}) => ({
    'https://app.sendmux.ai': `${herald.url}/compat/sendmux`,
    '<token>': apiKey,
    ...extra,
  });

  it('creates with the documented curl: { ok, meta, data } and a Location whose GET answers', async () => {
    const answer = await runCurl(adapt(SENDMUX_CREATE, sendmux({ 'https://hooks.acme.com/sendmux': `${receiver.url}/sendmux` })));
    expect(answer.status, answer.text).toBe(201);
    expect(Object.keys(answer.json)).toEqual(['ok', 'meta', 'data']);
    expect(answer.json.ok).toBe(true);
    expect(answer.json.meta).toEqual({ request_id: expect.stringMatching(/^req_/) });
    expect(Object.keys(answer.json.data)).toEqual(SENDMUX_FIELDS);
    expect(answer.json.data).toEqual({
      id: expect.stringMatching(/^wh_/),
      name: null,
      url: `${receiver.url}/sendmux`,
      event_types: ['message.bounced', 'message.received'],
      filters: { mailbox_ids: [] },
      enabled: true,
      failing: false,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
      secret: expect.stringMatching(/^whsec_/),
    });
    const { id, secret } = answer.json.data;
    expect(answer.headers.location).toBe(`/compat/sendmux/api/v1/webhooks/${id}`);
    const got = await http('GET', answer.headers.location as string, apiKey);
    expect(got.status).toBe(200);
    const { secret: _, ...withoutSecret } = answer.json.data;
    expect(got.json).toEqual({ ok: true, meta: { request_id: expect.stringMatching(/^req_/) }, data: withoutSecret });

    // Delivery: the webhook gets a signed event.
    await publish('message.received', { message: { id: 'msg_sm', from: 'a@example.com' } }, 'mbx_1');
    const [request] = await waitForRequests('/sendmux', 1);
    expect(verifies(secret, request as ReceivedRequest)).toMatchObject({ event: 'message.received', inbox_id: 'mbx_1' });
  });

  it('takes every documented body field, honours Idempotency-Key, and answers errors in the same envelope', async () => {
    const body = {
      url: `${receiver.url}/sendmux-full`,
      event_types: ['message.bounced', 'message.received'],
      name: 'Acme inbound forwarder',
      filters: { mailbox_ids: ['mbx_clxxxxxxxxxxxxxxxxxxxxxxxxx'] },
      enabled: true,
    };
    const key = { 'idempotency-key': 'webhooks-create-20260424-001' };
    const first = await http('POST', '/compat/sendmux/api/v1/webhooks', apiKey, body, key);
    expect(first.status, first.text).toBe(201);
    expect(first.json.data).toMatchObject({
      name: 'Acme inbound forwarder',
      filters: { mailbox_ids: ['mbx_clxxxxxxxxxxxxxxxxxxxxxxxxx'] },
      enabled: true,
    });
    const again = await http('POST', '/compat/sendmux/api/v1/webhooks', apiKey, body, key);
    expect(again.status).toBe(201);
    expect(again.json.data).toEqual(first.json.data);
    const conflict = await http('POST', '/compat/sendmux/api/v1/webhooks', apiKey, { ...body, name: 'other' }, key);
    expect(conflict.status).toBe(409);
    expect(conflict.json).toEqual({
      ok: false,
      meta: { request_id: expect.stringMatching(/^req_/) },
      error: { code: 'idempotency_conflict', message: expect.any(String) },
    });

    const bad = await http('POST', '/compat/sendmux/api/v1/webhooks', apiKey, { ...body, filters: { mailbox_ids: 'mbx_1' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      ok: false,
      error: { code: 'validation_error', details: [expect.objectContaining({ path: 'filters.mailbox_ids' })] },
    });
    const tooMany = await http('POST', '/compat/sendmux/api/v1/webhooks', apiKey, {
      ...body,
      filters: { mailbox_ids: Array.from({ length: 11 }, (_, i) => `mbx_${i}`) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.details.map((d: Json) => d.path)).toEqual(['filters.mailbox_ids']);

    const unauthorised = await http('POST', '/compat/sendmux/api/v1/webhooks', undefined, body);
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.json.error.code).toBe('unauthorized');
    const theirs = await http('GET', `/compat/sendmux/api/v1/webhooks/${first.json.data.id}`, otherKey);
    expect(theirs.status).toBe(404);
    expect(theirs.json).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const theirTest = await http('POST', `/compat/sendmux/api/v1/webhooks/${first.json.data.id}/test`, otherKey);
    expect(theirTest.status).toBe(404);
  });

  it('POST …/{id}/test delivers a signed sendmux.test', async () => {
    const created = await http('POST', '/compat/sendmux/api/v1/webhooks', apiKey, {
      url: `${receiver.url}/sendmux-test`,
      event_types: ['message.received'],
    });
    const { id, secret } = created.json.data;
    const answer = await http('POST', `/compat/sendmux/api/v1/webhooks/${id}/test`, apiKey);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ ok: true, data: { event_type: 'sendmux.test', success: true, status_code: 200 } });
    const [request] = await waitForRequests('/sendmux-test', 1);
    expect(verifies(secret, request as ReceivedRequest)).toMatchObject({
      event: 'sendmux.test',
      event_id: answer.json.data.event_id,
      account_id: accountId,
      webhook: { id, url: `${receiver.url}/sendmux-test` },
    });
  });
});

describe('every event type a page lists', () => {
  const DAIMON = [
    'message.received',
    'message.bounced',
    'message.complaint',
    'message.delivered',
    'message.complained',
    'account.upgraded',
    'webhook.unhealthy',
  ];
  const AGENTMAIL = [
    'message.received',
    'message.sent',
    'message.delivered',
    'message.bounced',
    'message.complained',
    'message.rejected',
    'domain.verified',
  ];
  const SENDMUX = [
    'message.delivered',
    'message.bounced',
    'message.complained',
    'message.rejected',
    'message.delivery_delayed',
    'message.received',
    'message.received.spam',
    'sendmux.test',
  ];

  it('can be subscribed to through its face', async () => {
    const daimon = await http('POST', '/compat/daimon/v1/webhooks', apiKey, { url: `${receiver.url}/all`, events: DAIMON });
    expect(daimon.status, daimon.text).toBe(200);
    expect(daimon.json.result.events).toEqual(DAIMON);
    const agentmail = await http('POST', '/compat/agentmail/v0/webhooks', apiKey, { url: `${receiver.url}/all`, event_types: AGENTMAIL });
    expect(agentmail.status, agentmail.text).toBe(200);
    expect(agentmail.json.event_types).toEqual(AGENTMAIL);
    const sendmux = await http('POST', '/compat/sendmux/api/v1/webhooks', apiKey, { url: `${receiver.url}/all`, event_types: SENDMUX });
    expect(sendmux.status, sendmux.text).toBe(201);
    expect(sendmux.json.data.event_types).toEqual(SENDMUX);
  });
});

describe('the OpenAPI document', () => {
  it('lists the three faces beside /v1', async () => {
    const document = (await http('GET', '/v1/openapi.json', undefined)).json;
    const routes = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /compat/daimon/v1/webhooks',
        'GET /compat/daimon/v1/webhooks',
        'GET /compat/daimon/v1/webhooks/{webhook_id}',
        'PATCH /compat/daimon/v1/webhooks/{webhook_id}',
        'DELETE /compat/daimon/v1/webhooks/{webhook_id}',
        'POST /compat/daimon/v1/webhooks/{webhook_id}/enable',
        'POST /compat/daimon/v1/webhooks/{webhook_id}/test',
        'GET /compat/agentmail/v0/webhooks',
        'POST /compat/agentmail/v0/webhooks',
        'GET /compat/agentmail/v0/webhooks/{webhook_id}',
        'PATCH /compat/agentmail/v0/webhooks/{webhook_id}',
        'DELETE /compat/agentmail/v0/webhooks/{webhook_id}',
        'POST /compat/sendmux/api/v1/webhooks',
        'GET /compat/sendmux/api/v1/webhooks/{webhook_id}',
        'POST /compat/sendmux/api/v1/webhooks/{webhook_id}/test',
      ]),
    );
    const create = document.paths['/compat/sendmux/api/v1/webhooks'].post;
    expect(Object.keys(create.responses)).toContain('201');
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
  });
});
