// A request that failed because MongoDB or Temporal could not be reached (down, restarting, or Temporal
// too busy to answer in time) is not a bug in Herald: it answers 503 SERVICE_UNAVAILABLE with the
// stable reason `unavailable` (see unavailableError in trpc.ts), so that callers know to retry — a
// retried publish with the same `event_id` is the same event — instead of a 500.
import { isGrpcServiceError } from '@temporalio/client';
import { MongoBulkWriteError, MongoNetworkError, MongoNotConnectedError, MongoServerSelectionError } from 'mongodb';

// gRPC status codes: the server is down or restarting, did not answer in time, or shed the load.
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const TEMPORAL_CODES = new Set([GRPC_UNAVAILABLE, GRPC_DEADLINE_EXCEEDED, GRPC_RESOURCE_EXHAUSTED]);

/** Which server could not be reached, if that is why `error` (or anything in its cause chain) was thrown. */
export function unreachable(error: unknown): 'MongoDB' | 'Temporal' | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = causeOf(e), depth++) {
    if (e instanceof MongoNetworkError || e instanceof MongoServerSelectionError || e instanceof MongoNotConnectedError) return 'MongoDB';
    if (isGrpcServiceError(e) && TEMPORAL_CODES.has(e.code)) return 'Temporal';
  }
  return undefined;
}

/**
 * The error `e` wraps. An insertMany whose connection closed fails with a MongoBulkWriteError that keeps
 * the network error as its `errorResponse`, not its `cause` (a group commit's batch during an outage).
 */
function causeOf(e: Error): unknown {
  if (e instanceof MongoBulkWriteError && e.errorResponse instanceof Error) return e.errorResponse;
  return e.cause;
}
