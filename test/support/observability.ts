// Helpers of the observability tests: a Prometheus text scraper and a log line capture.
import { Writable } from 'node:stream';

/** `name{labels}` → value, from Prometheus' text format (comments skipped). */
export type Samples = Map<string, number>;

export function parsePrometheus(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?)\s+(\S+)/.exec(line);
    if (match?.[1] && match[2]) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

export async function scrape(url: string): Promise<{ text: string; samples: Samples }> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  const text = await response.text();
  return { text, samples: parsePrometheus(text) };
}

/** How much each sample moved between two scrapes (samples absent before count from 0). */
export function delta(before: Samples, after: Samples, name: string): number {
  return (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

/** A pino destination that keeps every line. */
export function logCapture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(line);
      done();
    },
  });
  return { stream, lines };
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  serviceName: unknown;
}

export interface OtlpReceiver {
  /** The base URL (what OTEL_EXPORTER_OTLP_ENDPOINT names). */
  url: string;
  spans: ReceivedSpan[];
  /** Content types of the export requests received. */
  contentTypes: Set<string>;
  close(): Promise<void>;
}

type AnyValue = { stringValue?: string; intValue?: unknown; boolValue?: boolean; doubleValue?: number };
type KeyValue = { key: string; value?: AnyValue };

function attributeValue(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (value.intValue !== undefined && value.intValue !== null) return Number(value.intValue);
  if (value.boolValue !== undefined && value.boolValue !== null) return value.boolValue;
  return value.doubleValue;
}

function attributes(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, attributeValue(kv.value)]));
}

const hex = (id: unknown): string => (typeof id === 'string' ? id : Buffer.from(id as Uint8Array).toString('hex'));

/**
 * A real OTLP/HTTP trace receiver on 127.0.0.1: decodes `application/json` and `application/x-protobuf`
 * export requests (the latter with the OTLP protobuf types the exporter itself uses).
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const { createServer } = await import('node:http');
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
  const ExportRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  const spans: ReceivedSpan[] = [];
  const contentTypes = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const type = (req.headers['content-type'] ?? '').split(';')[0] ?? '';
      contentTypes.add(type);
      // biome-ignore lint/suspicious/noExplicitAny: OTLP's request shape, decoded from JSON or protobuf
      let request: any;
      if (req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if (type === 'application/json') request = JSON.parse(body.toString('utf8'));
      else if (type === 'application/x-protobuf')
        request = ExportRequest.toObject(ExportRequest.decode(body), { longs: String, defaults: false });
      else {
        res.writeHead(415).end();
        return;
      }
      for (const resourceSpans of request.resourceSpans ?? []) {
        const serviceName = attributes(resourceSpans.resource?.attributes)['service.name'];
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              traceId: hex(span.traceId),
              spanId: hex(span.spanId),
              parentSpanId: span.parentSpanId ? hex(span.parentSpanId) : '',
              name: span.name,
              kind: span.kind,
              attributes: attributes(span.attributes),
              serviceName,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': type });
      res.end(type === 'application/json' ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
