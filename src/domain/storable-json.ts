// Event data is stored as a MongoDB document, and not every JSON value is storable on every
// MongoDB-protocol server: keys that start with `$` or contain `.` or NUL, arrays directly inside
// arrays (FerretDB) and very deep nesting (MongoDB stops at 100 levels) are refused by the database.
// Found up front, they are the producer's BAD_REQUEST (with the path) instead of a 500.
// JSON itself lets through two more things no store keeps faithfully: a number too large for a double
// (`1e400` parses as Infinity, which FerretDB refuses and JSON.stringify would turn into null) and
// invalid Unicode (a lone surrogate, `"\ud800"`, which the BSON encoder would silently turn into U+FFFD).

export const MAX_DATA_DEPTH = 32;

export interface JsonProblem {
  path: Array<string | number>;
  message: string;
}

/** The first part of `value` that could not be stored, or undefined. Iterative: any depth is safe to check. */
export function findUnstorableJson(value: unknown, maxDepth = MAX_DATA_DEPTH): JsonProblem | undefined {
  const pending: Array<{ value: unknown; path: Array<string | number>; inArray: boolean }> = [{ value, path: [], inArray: false }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: current, path, inArray } = next;
    if (typeof current === 'number' && !Number.isFinite(current)) return { path, message: 'must be a finite number' };
    if (typeof current === 'string' && !isWellFormed(current)) return { path, message: 'must be valid Unicode (no lone surrogates)' };
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth) return { path, message: `must not be nested deeper than ${maxDepth} levels` };
    if (Array.isArray(current)) {
      if (inArray) return { path, message: 'arrays must not directly contain arrays' };
      current.forEach((item, index) => {
        pending.push({ value: item, path: [...path, index], inArray: true });
      });
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      if (!isWellFormed(key)) return { path: [...path, key], message: 'keys must be valid Unicode (no lone surrogates)' };
      if (key.startsWith('$') || key.includes('.') || key.includes('\u0000')) {
        return { path: [...path, key], message: 'keys must not start with "$" or contain "." or NUL characters' };
      }
      pending.push({ value: item, path: [...path, key], inArray: false });
    }
  }
  return undefined;
}

/** String.prototype.isWellFormed (Node ≥ 20; not yet in the ES2023 lib this project compiles against). */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}
