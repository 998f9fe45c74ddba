// OpenTelemetry over OTLP/HTTP with JSON to a real receiver on 127.0.0.1: one trace holds the publish's
// span, the workflow's, and the POST spans of the same event. The same Herald serves /metrics on a port
// of its own (HERALD_METRICS_PORT) and the Temporal SDK's metrics on HERALD_TEMPORAL_METRICS_PORT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev-stack/processes.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type OtlpReceiver, scrape, startOtlpReceiver } from '../support/observability.js';
import { checkPublishTrace } from '../support/tracing-scenario.js';

let otlp: OtlpReceiver;
let herald: TestHerald;
let temporalMetricsPort: number;
beforeAll(async () => {
  otlp = await startOtlpReceiver();
  temporalMetricsPort = await freePort();
  herald = await startTestHerald({
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'herald',
    HERALD_METRICS_PORT: String(await freePort()),
    HERALD_TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
  });
});
afterAll(async () => {
  await herald?.stop();
  await otlp?.close();
});

describe('tracing (http/json)', () => {
  it('puts the publish, the workflow and every POST of an event in one trace', async () => {
    await checkPublishTrace(herald, otlp, 'application/json');
  });
});

describe('metrics on ports of their own', () => {
  it('serves /metrics on HERALD_METRICS_PORT only, and the Temporal SDK worker metrics beside it', async () => {
    const metricsUrl = herald.metricsUrl as string;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(metricsUrl.startsWith(herald.url)).toBe(false);
    const { text: heraldText } = await scrape(metricsUrl);
    expect(heraldText).toContain('herald_delivery_attempts_total{outcome="succeeded"}');
    expect((await fetch(`${herald.url}/metrics`)).status).toBe(404);
    // The Core SDK's exporter: worker slots by type (the dashboard's panels), counters with _total.
    await expect
      .poll(async () => {
        const { text } = await scrape(`http://127.0.0.1:${temporalMetricsPort}/metrics`);
        return /temporal_worker_task_slots_available\{[^}]*worker_type="WorkflowWorker"/.test(text) && /_total\{/.test(text);
      })
      .toBe(true);
  });
});
