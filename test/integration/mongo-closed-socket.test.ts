// The MongoDB driver's write to a socket its peer has just closed (scripts/patch-mongodb-write.mjs).
// Node destroys such a socket at once, but its 'close' event, which marks the driver's connection
// closed, comes a turn of the event loop later; a command written in between waited forever for a
// 'drain' that never comes. When that command was the server monitor's heartbeat, the monitor never
// checked again and every operation failed server selection for good: test/faults/mongodb-restart.test.ts
// answered 503 for minutes after FerretDB was back. This reproduces the window deterministically: the
// socket is destroyed and the command sent in the same turn. It reaches into the driver's internals
// (the monitor's connection) on purpose: that is where the bug was.
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, MongoNetworkError } from 'mongodb';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';

interface DriverConnection {
  socket: import('node:net').Socket;
  closed: boolean;
  command(ns: { db: string; collection: string; toString(): string }, command: object, options?: object): Promise<unknown>;
}
interface DriverMonitor {
  connection: DriverConnection | null;
}

const ADMIN = { db: 'admin', collection: '$cmd', toString: () => 'admin.$cmd' };

let client: MongoClient;
beforeAll(async () => {
  client = new MongoClient(inject('mongodbUri'), { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
});
afterAll(async () => {
  await client?.close();
});

function monitorOf(c: MongoClient): DriverMonitor {
  const servers = (c as unknown as { topology: { s: { servers: Map<string, { monitor: DriverMonitor }> } } }).topology.s.servers;
  const [server] = servers.values();
  if (!server) throw new Error('no server in the topology');
  return server.monitor;
}

/** A command's outcome: its error's class, or `hung` if it has not settled within `ms` (the bug: never). */
async function outcomeOf(command: Promise<unknown>, ms = 10_000): Promise<string> {
  return Promise.race([
    command.then(
      () => 'answered',
      (error: unknown) => (error instanceof MongoNetworkError ? 'MongoNetworkError' : `other: ${String(error)}`),
    ),
    sleep(ms).then(() => 'hung'),
  ]);
}

it('a command written to a socket destroyed in the same turn fails with a network error, and the client carries on', async () => {
  const monitor = monitorOf(client);
  await expect.poll(() => monitor.connection !== null, { timeout: 30_000 }).toBe(true);
  const connection = monitor.connection as DriverConnection;

  // What Node does when the peer closes the connection: destroyed now, 'close' a turn later.
  connection.socket.destroy();
  expect(connection.closed).toBe(false);
  const outcome = await outcomeOf(connection.command(ADMIN, { ping: 1 }));
  expect(outcome).toBe('MongoNetworkError');
  expect(connection.closed).toBe(true);

  // The client itself still works (the monitor opens a new connection).
  await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
});
