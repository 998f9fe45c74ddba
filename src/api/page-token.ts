// Opaque page tokens: callers pass back `next_page_token` and nothing else.
import type { TimeCursor } from '../store/time-cursor.js';
import { fieldError } from './url-check.js';

// --- Id cursors (webhooks): ids are ULID-based and sort by creation time, so the last id of a page is
// a cursor that stays stable while new objects are inserted.

export function encodePageToken(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The id inside a token; a token that does not decode to an id of the expected kind is a BAD_REQUEST. */
export function decodePageToken(token: string, idPattern: RegExp, field = 'page_token'): string {
  const id = Buffer.from(token, 'base64url').toString('utf8');
  if (!idPattern.test(id)) throw fieldError(field, 'is not a valid page token');
  return id;
}

// --- (date, id) cursors (events, deliveries): producers choose event ids, so ids alone do not sort by time.

export function encodeTimeToken(cursor: TimeCursor | null): string | null {
  return cursor ? Buffer.from(JSON.stringify([cursor.at.getTime(), cursor.id])).toString('base64url') : null;
}

export function decodeTimeToken(token: string | undefined): TimeCursor | undefined {
  if (token === undefined) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && Number.isFinite(at) && typeof id === 'string' && id.length > 0) return { at: new Date(at), id };
  } catch {
    // Falls through to the error below.
  }
  throw fieldError('page_token', 'is not a page token from a previous answer');
}
