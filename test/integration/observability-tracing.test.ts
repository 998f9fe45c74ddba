// OpenTelemetry over OTLP/HTTP with protobuf (the default encoding) to a real receiver on 127.0.0.1: one
// trace holds the publish's span, the workflow's, and the POST spans of the same event.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type OtlpReceiver, startOtlpReceiver } from '../support/observability.js';
import { checkPublishTrace } from '../support/tracing-scenario.js';

let otlp: OtlpReceiver;
let herald: TestHerald;
beforeAll(async () => {
  otlp = await startOtlpReceiver();
  herald = await startTestHerald({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
});
afterAll(async () => {
  await herald?.stop();
  await otlp?.close();
});

describe('tracing (http/protobuf)', () => {
  it('puts the publish, the workflow and every POST of an event in one trace', async () => {
    await checkPublishTrace(herald, otlp, 'application/x-protobuf');
  });
});
