// `herald listen` sessions and the attempts relayed through them (docs/cli.md). A worker's attempt for a
// session's webhook inserts the signed request; the API process holding the session's connection reads
// the session's requests (one `_id` range: FerretDB has no change streams) and pushes them to the CLI; the
// CLI's answer, through whichever API process, is inserted under the request's `_id`, which the attempt
// reads. Every read is by `_id` or an `_id` range; nothing here needs a transaction, a TTL or an index.
import { randomBytes } from 'node:crypto';
import type { ListenRequestDoc, ListenResponseDoc, ListenSessionDoc } from './documents.js';
import { type Collections, isDuplicateKey } from './mongo.js';

/** The `_id` range of one session's requests: `${session}/…` sorts between these bounds. */
function sessionRange(sessionId: string) {
  return { $gt: `${sessionId}/`, $lt: `${sessionId}0` };
}

export function createListenRepo(c: Collections) {
  return {
    async createSession(session: ListenSessionDoc): Promise<void> {
      await c.listenSessions.insertOne(session);
    },

    /** Scoped by account: another account's session is simply not found. */
    async session(accountId: string, sessionId: string): Promise<ListenSessionDoc | null> {
      const session = await c.listenSessions.findOne({ _id: sessionId });
      return session?.account_id === accountId ? session : null;
    },

    async touch(sessionId: string, at = new Date()): Promise<void> {
      await c.listenSessions.updateOne({ _id: sessionId }, { $set: { last_seen_at: at } });
    },

    /** The account's open sessions (a small collection: one document per open `herald listen`). */
    async forAccount(accountId: string): Promise<ListenSessionDoc[]> {
      return c.listenSessions.find({ account_id: accountId }).toArray();
    },

    /** Sessions not seen since `before` (a small collection: one document per open `herald listen`). */
    async quietSince(before: Date): Promise<ListenSessionDoc[]> {
      const sessions = await c.listenSessions.find({}).toArray();
      return sessions.filter((session) => session.last_seen_at < before);
    },

    /** The session and whatever of its requests and answers is left (an answer has its request's `_id`). */
    async deleteSession(sessionId: string): Promise<void> {
      await c.listenRequests.deleteMany({ _id: sessionRange(sessionId) });
      await c.listenResponses.deleteMany({ _id: sessionRange(sessionId) });
      await c.listenSessions.deleteOne({ _id: sessionId });
    },

    /** Inserts a relayed request under an `_id` in its session's range, later than the session's earlier ones. */
    async addRequest(request: Omit<ListenRequestDoc, '_id'>): Promise<string> {
      const _id = `${request.session_id}/${Date.now().toString(36).padStart(10, '0')}${randomBytes(4).toString('hex')}`;
      await c.listenRequests.insertOne({ _id, ...request });
      return _id;
    },

    /** The session's requests still waiting for an answer, oldest first. */
    pending(sessionId: string, limit = 100): Promise<ListenRequestDoc[]> {
      return c.listenRequests
        .find({ _id: sessionRange(sessionId) })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
    },

    async request(requestId: string): Promise<ListenRequestDoc | null> {
      return c.listenRequests.findOne({ _id: requestId });
    },

    /** The CLI's answer. A second answer to the same request is ignored (the first stands). */
    async answer(response: ListenResponseDoc): Promise<void> {
      await c.listenResponses.insertOne(response).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
      await c.listenRequests.deleteOne({ _id: response._id });
    },

    /** The answer to a request, removed as it is read (one reader: the attempt that made the request). */
    async takeAnswer(requestId: string): Promise<ListenResponseDoc | null> {
      const response = await c.listenResponses.findOne({ _id: requestId });
      if (response) await c.listenResponses.deleteOne({ _id: requestId });
      return response;
    },

    /** An attempt that stopped waiting: its request is not forwarded after all (an answer already given is dropped). */
    async withdraw(requestId: string): Promise<void> {
      await c.listenRequests.deleteOne({ _id: requestId });
      await c.listenResponses.deleteOne({ _id: requestId });
    },
  };
}

export type ListenRepo = ReturnType<typeof createListenRepo>;
