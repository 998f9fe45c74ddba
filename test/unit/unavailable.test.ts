import { ServiceError } from '@temporalio/client';
import { MongoBulkWriteError, MongoNetworkError, MongoServerError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';
import { expect, it } from 'vitest';
import { unreachable } from '../../src/api/unavailable.js';

/** What the Temporal client throws for a failed call: a ServiceError caused by the gRPC status. */
function temporalFailure(code: number): ServiceError {
  const grpc = Object.assign(new Error(`gRPC status ${code}`), { code, details: 'from the server', metadata: {} });
  return new ServiceError('Failed to start Workflow', { cause: grpc });
}

it('recognises MongoDB connection failures and Temporal being down, slow or overloaded, through the cause chain', () => {
  expect(unreachable(new MongoNetworkError('connect ECONNREFUSED'))).toBe('MongoDB');
  expect(unreachable(new MongoServerSelectionError('Server selection timed out', {} as never))).toBe('MongoDB');
  expect(unreachable(new Error('wrapped', { cause: new MongoNetworkError('socket closed') }))).toBe('MongoDB');
  for (const code of [14, 4, 8]) expect(unreachable(temporalFailure(code))).toBe('Temporal');
  // What an insertMany answers when its connection closes mid-command (seen in the mongodb-restart fault test).
  const closed = new MongoNetworkError('connection 3 to 127.0.0.1:28859 closed');
  expect(unreachable(new MongoBulkWriteError(closed as never, {} as never))).toBe('MongoDB');
  expect(unreachable(new MongoBulkWriteError({ message: 'E11000', code: 11000, writeErrors: [] } as never, {} as never))).toBeUndefined();
});

it('leaves every other failure alone: it stays a 500', () => {
  expect(unreachable(new Error('a bug'))).toBeUndefined();
  expect(unreachable(new MongoServerError({ message: 'E11000 duplicate key', code: 11000 }))).toBeUndefined();
  expect(unreachable(new MongoTopologyClosedError())).toBeUndefined();
  // INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS: answers from a reachable server.
  for (const code of [3, 5, 6]) expect(unreachable(temporalFailure(code))).toBeUndefined();
  expect(unreachable('not an error')).toBeUndefined();
});
