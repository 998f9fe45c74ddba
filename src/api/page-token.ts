// Opaque page tokens over (date, id) cursors: callers pass back `next_page_token` and nothing else.
import type { TimeCursor } from '../store/time-cursor.js';
import { fieldError } from './url-check.js';

export function encodePageToken(cursor: TimeCursor | null): string | null {
  return cursor ? Buffer.from(JSON.stringify([cursor.at.getTime(), cursor.id])).toString('base64url') : null;
}

export function decodePageToken(token: string | undefined): TimeCursor | undefined {
  if (token === undefined) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && Number.isFinite(at) && typeof id === 'string' && id.length > 0) return { at: new Date(at), id };
  } catch {
    // Falls through to the error below.
  }
  throw fieldError('page_token', 'is not a page token from a previous answer');
}
