// The trace of one published event, checked the same way for both OTLP encodings (one test file each:
// the tracer provider is the process's).
import { expect } from 'vitest';
import { message, waitForStatus } from './health.js';
import type { TestHerald } from './herald.js';
import type { OtlpReceiver } from './observability.js';
import { startReceiver } from './receiver.js';

export async function checkPublishTrace(herald: TestHerald, otlp: OtlpReceiver, contentType: string): Promise<void> {
  // One webhook that asked for trace context (a 500 first: its retry goes through the workflow), one that did not.
  const traced = await startReceiver((n) => ({ status: n === 0 ? 500 : 200 }));
  const plain = await startReceiver();
  const { client, accountId, apiKey } = await herald.newAccount();
  const tracedHook = await client.webhooks.create.mutate({
    url: `${traced.url}/hooks?token=query-secret-1`,
    event_types: ['message.received'],
    propagate_trace: true,
  });
  expect(tracedHook.propagate_trace).toBe(true);
  const plainHook = await client.webhooks.create.mutate({ url: plain.url, event_types: ['message.received'] });
  expect(plainHook.propagate_trace).toBe(false);
  expect((await client.webhooks.get.query({ webhook_id: plainHook.id })).propagate_trace).toBe(false);

  const event = await client.events.publish.mutate({ type: 'message.received', data: { message } });
  await waitForStatus(herald, accountId, tracedHook.id, [event.id], ['succeeded']);
  await waitForStatus(herald, accountId, plainHook.id, [event.id], ['succeeded']);

  // The attempt records keep the trace id; deliveries.get shows it.
  const { deliveries } = await client.deliveries.list.query({ event_id: event.id, webhook_id: tracedHook.id });
  const delivery = await client.deliveries.get.query({ delivery_id: deliveries[0]?.id as string });
  expect(delivery.attempts).toHaveLength(2);
  const traceId = delivery.attempts[0]?.trace_id as string;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(delivery.attempts[1]?.trace_id).toBe(traceId);

  // Trace context only to the receiver that asked for it, in the same trace.
  expect(traced.requests[0]?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  expect(plain.requests[0]?.headers.traceparent).toBeUndefined();

  await herald.flushTraces();
  const inTrace = () => otlp.spans.filter((span) => span.traceId === traceId);
  await expect.poll(() => inTrace().filter((span) => span.name === 'POST').length).toBe(3);
  await expect.poll(() => inTrace().some((span) => span.name.startsWith('RunWorkflow:deliveryWorkflow'))).toBe(true);
  expect(otlp.contentTypes).toEqual(new Set([contentType]));
  const spans = inTrace();
  const names = spans.map((span) => span.name);
  // The publish, the workflow starts, the delivery workflows, and the POSTs, of which the first attempts began in the API.
  const publish = spans.find((span) => span.name === 'events.publish');
  expect(publish).toMatchObject({
    parentSpanId: '',
    serviceName: 'herald',
    attributes: { 'rpc.method': 'events.publish', 'herald.account.id': accountId },
  });
  expect(names).toContain('StartWorkflow:deliveryWorkflow');
  const posts = spans.filter((span) => span.name === 'POST');
  for (const post of posts) expect(post.kind).toBe(3); // CLIENT
  const tracedPosts = posts.filter((post) => String(post.attributes['url.full']).includes('/hooks'));
  expect(tracedPosts.map((post) => post.attributes['http.response.status_code']).sort()).toEqual([200, 500]);
  expect(tracedPosts.map((post) => post.attributes['herald.attempt.outcome']).sort()).toEqual(['http_error', 'succeeded']);
  for (const post of tracedPosts) {
    expect(post.attributes['http.request.method']).toBe('POST');
    expect(post.attributes['url.full']).toBe(`${traced.url}/hooks?token=REDACTED`);
  }
  // The first attempts, begun in the API, hang below the publish's span.
  const attemptSpans = spans.filter((span) => span.name === 'herald.delivery.attempt');
  const firstAttempts = attemptSpans.filter((span) => span.attributes['herald.attempt'] === 1);
  expect(firstAttempts).toHaveLength(2);
  for (const attempt of firstAttempts) expect(attempt.parentSpanId).toBe(publish?.spanId);
  // The POST that went out with trace context is the span the receiver was told about.
  const firstTracedPost = tracedPosts.find((post) => post.attributes['http.response.status_code'] === 500);
  expect(traced.requests[0]?.headers.traceparent).toBe(`00-${traceId}-${firstTracedPost?.spanId}-01`);

  // No secret in any span attribute.
  const everything = JSON.stringify(otlp.spans);
  for (const secret of [apiKey, herald.adminKey, tracedHook.secret as string, plainHook.secret as string, 'query-secret-1']) {
    expect(everything).not.toContain(secret);
  }
  // The field is changed like any other, and shown.
  expect(await client.webhooks.update.mutate({ webhook_id: plainHook.id, propagate_trace: true })).toMatchObject({ propagate_trace: true });
  expect((await client.webhooks.get.query({ webhook_id: plainHook.id })).propagate_trace).toBe(true);
  expect(await client.webhooks.update.mutate({ webhook_id: tracedHook.id, propagate_trace: false })).toMatchObject({
    propagate_trace: false,
  });
  await traced.close();
  await plain.close();
}
