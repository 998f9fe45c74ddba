// Cursor pagination: a page token is the last id of the previous page, opaque to callers. Ids are
// ULID-based and sort by creation time, so a cursor stays stable while new objects are inserted.
import { fieldError } from './url-check.js';

export function encodePageToken(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The id inside a token; a token that does not decode to an id of the expected kind is a BAD_REQUEST. */
export function decodePageToken(token: string, idPattern: RegExp, field = 'page_token'): string {
  const id = Buffer.from(token, 'base64url').toString('utf8');
  if (!idPattern.test(id)) throw fieldError(field, 'is not a valid page token');
  return id;
}
