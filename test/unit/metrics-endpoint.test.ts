// /metrics as a module: on its own port (HERALD_METRICS_PORT), nothing with HERALD_METRICS=off, and the
// configuration of metrics and tracing read from the environment.
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { createMetrics, DELIVERY_LATENCY_BUCKETS, metricsOff } from '../../src/metrics/metrics.js';
import { createMetricsHandler, startMetricsServer } from '../../src/metrics/metrics-endpoint.js';

describe('metrics endpoint', () => {
  it('serves the registry on a port of its own, and nothing else there', async () => {
    const metrics = createMetrics(true);
    metrics.attempt('timeout', 2);
    metrics.reportParked(async () => 7);
    const server = await startMetricsServer(metrics, 0, '127.0.0.1');
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toContain('herald_delivery_attempts_total{outcome="timeout"} 1');
      expect(text).toContain('herald_delivery_attempts_total{outcome="gone"} 0');
      expect(text).toContain('herald_parked_deliveries 7');
      expect(text).toContain('herald_delivery_latency_seconds_bucket{le="172800"} 0');
      expect((await fetch(server.url.replace('/metrics', '/trpc/x'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.stop();
    }
  });

  it('answers nothing with HERALD_METRICS=off', async () => {
    expect(createMetrics(false)).toBe(metricsOff);
    const handle = createMetricsHandler(metricsOff);
    const server = createServer((req, res) => {
      if (!handle(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps latency buckets from 5 ms to 48 h', () => {
    expect(DELIVERY_LATENCY_BUCKETS[0]).toBe(0.005);
    expect(DELIVERY_LATENCY_BUCKETS.at(-1)).toBe(48 * 3600);
  });

  it('reads the observability variables', () => {
    const defaults = loadConfig({});
    expect(defaults.observability).toEqual({
      metrics: { enabled: true, port: undefined, host: '127.0.0.1', temporalPort: undefined },
      tracing: null,
    });
    const set = loadConfig({
      HERALD_METRICS: 'off',
      HERALD_METRICS_PORT: '9464',
      HERALD_METRICS_HOST: '0.0.0.0',
      HERALD_TEMPORAL_METRICS_PORT: '9465',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D,other=1',
      OTEL_SERVICE_NAME: 'herald-eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      HERALD_LOG_FORMAT: 'pretty',
    });
    expect(set.logFormat).toBe('pretty');
    expect(set.observability).toEqual({
      metrics: { enabled: false, port: 9464, host: '0.0.0.0', temporalPort: 9465 },
      tracing: {
        endpoint: 'http://collector:4318',
        protocol: 'http/json',
        headers: { 'x-api-key': 'abc=', other: '1' },
        serviceName: 'herald-eu',
        sampler: 'parentbased_traceidratio',
        samplerArg: 0.25,
      },
    });
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() => loadConfig({ HERALD_LOG_FORMAT: 'xml' })).toThrow(/HERALD_LOG_FORMAT/);
  });
});
