// `Idempotency-Key`: the first answer to a request is kept for 24 h per account and route and replayed
// for a retry with the same key; the same key with a different body is a CONFLICT. Failed requests are
// not kept, so a retry after an error runs again.
import { createHash } from 'node:crypto';
import type { IdempotencyDoc } from '../store/documents.js';
import { IDEMPOTENCY_WINDOW_MS, idempotencyRecordId } from '../store/idempotency-repo.js';
import type { Context } from './context.js';
import { reasonError } from './trpc.js';
import { fieldError } from './url-check.js';

export { IDEMPOTENCY_WINDOW_MS };

/** A first request still `pending` after this died with its process; its key may be used again. */
const ABANDONED_AFTER_MS = 60 * 1000;
const MAX_KEY_LENGTH = 255;

/** JSON with sorted keys, so that the same body in another key order hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A route whose first answer may go stale: `replay` makes what a retry gets of it (e.g. drops a secret no longer valid). */
export interface IdempotentRoute<T> {
  route: string;
  replay: (first: T) => T | Promise<T>;
}

export async function withIdempotency<T>(
  ctx: Pick<Context, 'deps' | 'request'> & { accountId: string },
  routeOrOptions: string | IdempotentRoute<T>,
  input: unknown,
  run: () => Promise<T>,
): Promise<T> {
  const { route, replay } = typeof routeOrOptions === 'string' ? { route: routeOrOptions, replay: (first: T) => first } : routeOrOptions;
  const key = ctx.request.idempotencyKey;
  if (key === undefined) return run();
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw fieldError('Idempotency-Key', `must be 1–${MAX_KEY_LENGTH} characters`);

  const repo = ctx.deps.store.idempotency;
  const now = new Date();
  const record: IdempotencyDoc = {
    _id: idempotencyRecordId(ctx.accountId, route, key),
    account_id: ctx.accountId,
    route,
    key,
    request_hash: createHash('sha256').update(canonicalJson(input)).digest('hex'),
    state: 'pending',
    response: null,
    created_at: now,
  };
  const claim = await repo.claim(record, {
    expiredBefore: new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS),
    abandonedBefore: new Date(now.getTime() - ABANDONED_AFTER_MS),
  });
  if (!claim.claimed) {
    if (claim.existing.request_hash !== record.request_hash) {
      throw reasonError('CONFLICT', 'idempotency_conflict', 'This Idempotency-Key was already used with a different request body.');
    }
    if (claim.existing.state === 'pending') {
      throw reasonError('CONFLICT', 'idempotency_in_progress', 'A request with this Idempotency-Key is still running; retry shortly.');
    }
    return replay(claim.existing.response as T);
  }
  try {
    const result = await run();
    await repo.complete(record._id, now, result);
    return result;
  } catch (error) {
    await repo.release(record._id, now).catch((releaseError) => ctx.deps.log.warn({ err: releaseError }, 'idempotency key not released'));
    throw error;
  }
}
