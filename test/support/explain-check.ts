// Runs `explain` for a command the store sent and says whether the server answers it from an index,
// on MongoDB (no COLLSCAN, no in-memory SORT in the winning plan) and on FerretDB (filter, sort and
// limit pushed down to SQLite, which SEARCHes an index instead of SCANning the table).
import type { Db, Document } from 'mongodb';

export interface QueryShape {
  collection: string;
  filter: Document;
  sort?: Document;
  limit?: number;
  /** Counting: an aggregate whose first stage is this `$match`. */
  count?: boolean;
}

/** The queries inside a command the driver sent (find, aggregate, delete and update statements). */
export function queriesOf(command: Document): QueryShape[] {
  if (command.find) {
    return [{ collection: command.find, filter: command.filter ?? {}, sort: command.sort, limit: command.limit }];
  }
  if (command.aggregate) {
    const match = (command.pipeline as Document[])[0]?.$match ?? {};
    return [{ collection: command.aggregate, filter: match, count: true }];
  }
  // Before `update`: a findAndModify carries its update document in a field of that name.
  if (command.findAndModify) return [{ collection: command.findAndModify, filter: command.query ?? {} }];
  if (command.delete) return (command.deletes as Document[]).map((d) => ({ collection: command.delete, filter: d.q }));
  if (command.update) return (command.updates as Document[]).map((u) => ({ collection: command.update, filter: u.q }));
  return [];
}

/** Null when indexed; otherwise why not. */
export async function scanReason(db: Db, q: QueryShape): Promise<string | null> {
  const explain = q.count
    ? { aggregate: q.collection, pipeline: [{ $match: q.filter }, { $group: { _id: 1, n: { $sum: 1 } } }], cursor: {} }
    : { find: q.collection, filter: q.filter, ...(q.sort ? { sort: q.sort } : {}), ...(q.limit ? { limit: q.limit } : {}) };
  const result = await db.command({ explain, verbosity: 'queryPlanner' });
  if (result.serverInfo?.ferretdbVersion || result.filterPushdown !== undefined) {
    const plan = JSON.stringify(result.queryPlanner ?? {});
    if (result.filterPushdown !== true) return 'FerretDB does not push the filter down';
    if (/detail=SCAN /.test(plan)) return `SQLite scans the table: ${plan}`;
    // A lone `_id` equality finds one document at most: sort and limit cost nothing there.
    const single = Object.keys(q.filter).length === 1 && typeof q.filter._id === 'string';
    if (!single && q.sort && result.sortPushdown !== true) return 'FerretDB sorts in memory';
    if (!single && q.limit && result.limitPushdown !== true) return 'FerretDB applies the limit in memory';
    return null;
  }
  const plan = JSON.stringify(result.queryPlanner?.winningPlan ?? result.stages ?? result);
  if (plan.includes('COLLSCAN')) return `collection scan: ${plan}`;
  if (/"stage":"SORT"/.test(plan)) return `in-memory sort: ${plan}`;
  return null;
}
