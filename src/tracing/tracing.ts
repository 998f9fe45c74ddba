// OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. On, a tracer provider with an
// OTLP/HTTP exporter (protobuf or JSON) is registered for the process, with W3C trace context and an
// AsyncLocalStorage context manager, so that the API's span of a publish is the parent of everything it
// causes: the workflow starts (Temporal's client interceptor carries the context in the start's headers),
// the delivery workflow (its workflow interceptors, always in the bundle), its attempts and their POSTs.
// Off, the API's tracer is OpenTelemetry's no-op one and the workflows' spans go to a no-op processor.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Resource } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { TracingConfig } from '../config/env.js';
import { WORKFLOW_INTERCEPTORS_PATH } from '../temporal/workflow-paths.js';

export const TRACER_NAME = 'herald';

export interface Tracing {
  readonly enabled: boolean;
  /** For the Temporal client: carries the caller's trace context into workflow starts, signals, updates. */
  clientInterceptors: WorkflowClientInterceptor[];
  /** For the worker: the workflow interceptors (always), the activity ones (when on). */
  workerInterceptors: NonNullable<WorkerOptions['interceptors']>;
  /** For the worker: where the workflows' spans go (a no-op processor when off). */
  sinks: InjectedSinks<OpenTelemetrySinks>;
  /** Sends what is buffered (the provider is the process's: it stays up for other Herald instances). */
  flush(): Promise<void>;
}

function sampler(config: TracingConfig): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(config.samplerArg ?? 1);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: traces go to its `/v1/traces`. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** The workflow interceptors' module (workflows/interceptors.ts): bundled with the workflows whether tracing is on or not. */
export const WORKFLOW_INTERCEPTOR_MODULES = [WORKFLOW_INTERCEPTORS_PATH];

let registered: Tracing | undefined;

/** Tracing off: the workflow interceptors stay (a bundle is the same either way), their spans go nowhere. */
export function tracingOff(): Tracing {
  return {
    enabled: false,
    clientInterceptors: [],
    workerInterceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
    sinks: { exporter: makeWorkflowExporter(new NoopSpanProcessor(), new Resource({ [ATTR_SERVICE_NAME]: 'herald' })) },
    flush: async () => {},
  };
}

/**
 * Once per process (the tracer provider is global); later calls answer the first one's. `null`: off.
 */
export function setupTracing(config: TracingConfig | null): Tracing {
  if (registered) return registered;
  if (!config) {
    registered = tracingOff();
    return registered;
  }
  const resource = new Resource({ [ATTR_SERVICE_NAME]: config.serviceName });
  const options = { url: tracesUrl(config.endpoint), headers: config.headers };
  const exporter = config.protocol === 'http/json' ? new OTLPJsonTraceExporter(options) : new OTLPProtoTraceExporter(options);
  const processor: SpanProcessor = new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ resource, sampler: sampler(config), spanProcessors: [processor] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const tracer = provider.getTracer(TRACER_NAME);
  registered = {
    enabled: true,
    clientInterceptors: [new OpenTelemetryWorkflowClientInterceptor({ tracer })],
    workerInterceptors: {
      workflowModules: WORKFLOW_INTERCEPTOR_MODULES,
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    flush: () => provider.forceFlush(),
  };
  return registered;
}
