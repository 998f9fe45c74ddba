// The workflow half of OpenTelemetry tracing (@temporalio/interceptors-opentelemetry): bundled with the
// workflows as a workflow interceptor module whether tracing is on or not, so that one bundle and the
// recorded histories hold either way. With tracing off its spans go to a no-op processor (the worker's
// sink); on, they continue the trace of the publish that started the workflow.
export { interceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js';
