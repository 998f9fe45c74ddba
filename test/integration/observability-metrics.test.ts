// GET /metrics after a known sequence: successes, a retry, a 410 and a parked delivery move the counters
// by exactly that; no label holds an id and no secret is in the scrape or the log; one access log line
// per API request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { message, switchableReceiver, waitForStatus } from '../support/health.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { delta, logCapture, type Samples, scrape } from '../support/observability.js';
import { startReceiver } from '../support/receiver.js';

const logs = logCapture();
let herald: TestHerald;
beforeAll(async () => {
  herald = await startTestHerald(
    // More than one match goes through a fan-out workflow, whose first attempts the delivery workflows adopt.
    { HERALD_RETRY_SCHEDULE: '200ms,200ms,200ms', HERALD_LOG_LEVEL: 'info', HERALD_DIRECT_FANOUT_MAX: '1' },
    { log: createLogger('info', 'json', logs.stream) },
  );
});
afterAll(async () => {
  await herald?.stop();
});

describe('metrics', () => {
  it('counts what a known sequence of deliveries did, exactly', async () => {
    const metricsUrl = herald.metricsUrl as string;
    expect(metricsUrl).toBe(`${herald.url}/metrics`);
    const before = (await scrape(metricsUrl)).samples;

    // Two successes; a 500 then a 200 (one retry); a 410; a delivery parked behind a disabled webhook; an
    // event to two webhooks (a fan-out: two successes, adopted by their workflows).
    const ok = await startReceiver();
    const retried = await startReceiver((n) => ({ status: n === 0 ? 500 : 200 }));
    const gone = await switchableReceiver({ status: 410 });
    const held = await startReceiver();
    const fanned = await startReceiver();
    const accounts = await Promise.all([0, 1, 2, 3, 4].map(() => herald.newAccount()));
    const [a, b, c, d, e] = accounts as [
      (typeof accounts)[0],
      (typeof accounts)[0],
      (typeof accounts)[0],
      (typeof accounts)[0],
      (typeof accounts)[0],
    ];
    const secrets: string[] = accounts.map((account) => account.apiKey);
    const hooks: { id: string }[] = [];
    for (const [account, receiver] of [
      [a, ok],
      [b, retried],
      [c, gone],
      [d, held],
      [e, fanned],
      [e, fanned],
    ] as const) {
      const hook = await account.client.webhooks.create.mutate({ url: receiver.url, event_types: ['message.received'] });
      secrets.push(hook.secret as string);
      hooks.push(hook);
    }
    await d.client.webhooks.disable.mutate({ webhook_id: hooks[3]?.id as string });

    const publish = async (account: typeof a) =>
      (await account.client.events.publish.mutate({ type: 'message.received', data: { message } })).id;
    const okEvents = [await publish(a), await publish(a)];
    const retriedEvent = await publish(b);
    const goneEvent = await publish(c);
    const heldEvent = await publish(d);
    const fannedEvent = await publish(e);

    await waitForStatus(herald, a.accountId, hooks[0]?.id as string, okEvents, ['succeeded']);
    await waitForStatus(herald, b.accountId, hooks[1]?.id as string, [retriedEvent], ['succeeded']);
    await waitForStatus(herald, c.accountId, hooks[2]?.id as string, [goneEvent], ['failed']);
    await waitForStatus(herald, d.accountId, hooks[3]?.id as string, [heldEvent], ['parked']);
    for (const hook of hooks.slice(4)) await waitForStatus(herald, e.accountId, hook.id, [fannedEvent], ['succeeded']);
    await expect.poll(async () => (await c.client.webhooks.get.query({ webhook_id: hooks[2]?.id as string })).status).toBe('disabled');

    const expected: Record<string, number> = {
      'herald_events_published_total{type="message.received"}': 6,
      'herald_delivery_attempts_total{outcome="succeeded"}': 5,
      'herald_delivery_attempts_total{outcome="http_error"}': 1,
      'herald_delivery_attempts_total{outcome="gone"}': 1,
      'herald_delivery_attempts_total{outcome="timeout"}': 0,
      'herald_delivery_attempts_total{outcome="network"}': 0,
      'herald_delivery_attempts_total{outcome="forbidden"}': 0,
      herald_delivery_attempt_duration_seconds_count: 7,
      herald_delivery_latency_seconds_count: 5,
      herald_publish_duration_seconds_count: 6,
      'herald_deliveries_completed_total{status="succeeded"}': 5,
      'herald_deliveries_completed_total{status="failed"}': 1,
      'herald_deliveries_completed_total{status="cancelled"}': 0,
      // The 410 and the operator's disable.
      'herald_webhook_health_transitions_total{to="disabled"}': 2,
      'herald_webhook_health_transitions_total{to="unhealthy"}': 0,
      'herald_webhook_health_transitions_total{to="active"}': 0,
    };
    const moved = (after: Samples) => Object.fromEntries(Object.keys(expected).map((name) => [name, delta(before, after, name)]));
    // The health transition lands a moment after the webhook's status is read back; the gauge is cached for a few seconds.
    await expect
      .poll(async () => {
        const after = (await scrape(metricsUrl)).samples;
        return { ...moved(after), parked: after.get('herald_parked_deliveries') };
      })
      .toEqual({ ...expected, parked: 1 });
    // Nothing more happens: the counts stay (no late duplicate from an adopted attempt).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const { text, samples } = await scrape(metricsUrl);
    expect(moved(samples)).toEqual(expected);
    expect(ok.requests).toHaveLength(2);
    expect(retried.requests).toHaveLength(2);
    expect(held.requests).toHaveLength(0);
    expect(fanned.requests).toHaveLength(2);

    // Process metrics come with them; no id and no secret is in any label.
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    const ids = [
      ...accounts.map((account) => account.accountId),
      ...hooks.map((hook) => hook.id),
      ...okEvents,
      retriedEvent,
      goneEvent,
      heldEvent,
      fannedEvent,
    ];
    for (const value of [...ids, ...secrets]) expect(text).not.toContain(value);
    for (const line of logs.lines) for (const secret of secrets) expect(line).not.toContain(secret);
    for (const receiver of [ok, retried, gone, held, fanned]) await receiver.close();
  });

  it('logs one access line per API request, with the procedure, account and request id, never the key', async () => {
    const { client, accountId, apiKey } = await herald.newAccount();
    const from = logs.lines.length;
    await client.webhooks.list.query({});
    const response = await fetch(`${herald.url}/v1/webhooks?limit=5`, {
      headers: { authorization: `Bearer ${apiKey}`, 'x-request-id': 'req-42' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-42');
    await expect.poll(() => logs.lines.slice(from).filter((line) => line.includes('"component":"access"')).length).toBe(2);
    const lines = logs.lines
      .slice(from)
      .map((line) => JSON.parse(line))
      .filter((line) => line.component === 'access');
    expect(lines[0]).toMatchObject({ method: 'GET', procedure: 'webhooks.list', status: 200, account_id: accountId, msg: 'request' });
    expect(lines[0].route).toMatch(/^\/trpc\/webhooks\.list/);
    expect(lines[0].request_id).toMatch(/^[\w-]+$/);
    expect(lines[1]).toMatchObject({
      method: 'GET',
      route: '/v1/webhooks',
      procedure: 'webhooks.list',
      status: 200,
      account_id: accountId,
      request_id: 'req-42',
    });
    expect(typeof lines[1].duration_ms).toBe('number');
    for (const line of logs.lines) expect(line).not.toContain(apiKey);
  });

  it('pino redacts secret-bearing fields wherever a log call passes them', () => {
    const capture = logCapture();
    const log = createLogger('info', 'json', capture.stream);
    log.info(
      {
        secret: 'whsec_x',
        webhook: { secret: 'whsec_y' },
        authorization: 'Bearer hk_z',
        req: { headers: { authorization: 'Bearer hk_w' } },
      },
      'x',
    );
    expect(capture.lines.join('\n')).not.toMatch(/whsec_|hk_/);
  });
});
