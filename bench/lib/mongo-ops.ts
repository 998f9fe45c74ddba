// MongoDB commands served, counted by the server itself (serverStatus metrics.commands: FerretDB and
// mongod both keep it), so the figure covers every client and needs no hook in Herald. Connection
// housekeeping (handshakes, heartbeats, this module's own serverStatus) is left out.
import { MongoClient } from 'mongodb';

const HOUSEKEEPING = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'serverStatus',
  'endSessions',
  'buildInfo',
  'buildinfo',
  'unknown',
  'saslStart',
  'saslContinue',
  'getParameter',
  'getFreeMonitoringStatus',
]);

export type CommandCounts = Record<string, number>;

export interface MongoOps {
  snapshot(): Promise<CommandCounts>;
  /** Documents in a collection (outside any measured window: it is a command too). */
  count(database: string, collection: string): Promise<number>;
  close(): Promise<void>;
}

export async function connectMongoOps(uri: string): Promise<MongoOps> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 1 });
  await client.connect();
  return {
    async snapshot() {
      const status = await client.db('admin').command({ serverStatus: 1 });
      const commands = (status.metrics?.commands ?? {}) as Record<string, { total?: unknown }>;
      const counts: CommandCounts = {};
      for (const [name, value] of Object.entries(commands)) {
        if (!HOUSEKEEPING.has(name) && value && typeof value === 'object' && 'total' in value) counts[name] = Number(value.total);
      }
      return counts;
    },
    count: (database, collection) => client.db(database).collection(collection).countDocuments(),
    close: () => client.close(),
  };
}

export function commandDelta(before: CommandCounts, after: CommandCounts): CommandCounts {
  const delta: CommandCounts = {};
  for (const [name, total] of Object.entries(after)) {
    const d = total - (before[name] ?? 0);
    if (d > 0) delta[name] = d;
  }
  return delta;
}

export const totalCommands = (counts: CommandCounts) => Object.values(counts).reduce((a, b) => a + b, 0);
