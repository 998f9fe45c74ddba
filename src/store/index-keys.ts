// Keys of the index entries Herald keeps beside its deliveries and events: small documents whose `_id`
// orders them the way a list or a background job reads them (`~w|<webhook>|<time>|<delivery>`), so that
// every such read is one `_id` range, sorted by `_id`, with a limit. That is the one query both MongoDB
// (its `_id` index) and Herald's FerretDB build (docs/embedded-mongodb.md) answer from an index: the
// cost is the page's, not the collection's. Entries live in the collection of what they index, so that
// the insert that stores a delivery or an event stores its entries in the same command.
//
// Every key starts with `~`, which sorts after every document id Herald makes (`dlv_…`, `acc_…/…`), and
// uses printable ASCII from `#` on without `\ < > &` (FerretDB's range pushdown needs that): parts that
// come from outside (inbox ids, event types) are percent-encoded.

/** Times are epoch milliseconds, zero-padded: string order is time order (until the year 2286). */
export function timePart(at: Date | number): string {
  return String(typeof at === 'number' ? at : at.getTime()).padStart(13, '0');
}

/** Anything but letters, digits and `_ . : -` is percent-encoded: `|` never appears inside a part. */
export function keyPart(value: string): string {
  return value.replace(/[^A-Za-z0-9_.:-]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

export function entryKey(...parts: (string | Date | number)[]): string {
  return `~${parts.map((p) => (typeof p === 'string' ? p : timePart(p))).join('|')}`;
}

/** The keys of one scope (a prefix of parts) in [since, until) of its time part, when given. */
export function scopeRange(scope: string[], window: { since?: Date; until?: Date } = {}): { $gte: string; $lt: string } {
  const prefix = `${entryKey(...scope)}|`;
  return {
    $gte: window.since ? prefix + timePart(window.since) : prefix,
    // `}` follows `|`: the first key after every key of the scope.
    $lt: window.until ? prefix + timePart(window.until) : `${entryKey(...scope)}}`,
  };
}

/** Index-entry `_id`s all start with this; data documents never do. */
export const ENTRY_PREFIX = '~';

export function isEntryId(id: string): boolean {
  return id.startsWith(ENTRY_PREFIX);
}
