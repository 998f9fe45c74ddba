// Read-modify-write of a document that several writers change (a webhook: API edits, secret rotation,
// its health workflow), such that no write can undo another on any MongoDB-protocol server here.
//
// A compare-and-set in the update's filter (`{ _id, updated_at: seen }`) is not enough: FerretDB 1.x
// applies an update by reading the matching document, changing it in Go and writing the whole document
// back by `_id`, without a lock and without checking the filter again. Two writers that read the same
// version both "win" and the second one puts back what the first one changed. The one write it performs
// atomically is an insert under a unique `_id`: so a writer first inserts a claim on the version it read,
// and only the claim's owner replaces that version. Everyone else reads again and retries.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection, Filter, MatchKeysAndValues } from 'mongodb';
import type { WriteClaimDoc } from './documents.js';
import { deleteByIds, isDuplicateKey } from './mongo.js';

export interface Versioned {
  _id: string;
  /** The version: every write sets a strictly later one. */
  updated_at: Date;
}

export interface VersionedTarget<T extends Versioned> {
  docs: Collection<T>;
  claims: Collection<WriteClaimDoc>;
  /** Names the collection in claim ids. */
  scope: string;
}

export interface VersionedWriteOptions<T> {
  /** Whether the document read may be written (e.g. it belongs to the caller's account); otherwise it is "not found". */
  accepts?: (current: T) => boolean;
  /** Reads (and plans) at most this many times before giving up with ConcurrentWriteError. */
  tries?: number;
  /**
   * How long a claim protects its version. A writer that died holding one blocks that document's
   * writes this long; a writer that finds its own claim expired does not write (someone may have
   * taken over). One write takes milliseconds.
   */
  leaseMs?: number;
  now?: () => Date;
}

/** The document kept changing: every try found another writer on the version it read. */
export class ConcurrentWriteError extends Error {
  constructor(docId: string) {
    super(`${docId} kept changing while it was being written; try again`);
    this.name = 'ConcurrentWriteError';
  }
}

const MAX_BACKOFF_MS = 100;

/** A strictly later `updated_at`, so that two writes in one millisecond still differ in version. */
export function nextVersion(previous: Date, now: Date): Date {
  return now > previous ? now : new Date(previous.getTime() + 1);
}

/**
 * Reads the document `id` (when `accepts` rejects it, as if there were none), asks `plan` for the fields
 * to set (null or `{}`: nothing to write) and writes them as the next version. `plan` may run several
 * times (once per try, each time on the current document) and may throw to abort. Resolves with the
 * document as written (or as read when nothing changed); null when there is no such document.
 */
export async function writeVersioned<T extends Versioned>(
  target: VersionedTarget<T>,
  id: string,
  plan: (current: T) => Partial<T> | null | Promise<Partial<T> | null>,
  { tries = 30, leaseMs = 30_000, now = () => new Date(), accepts = () => true }: VersionedWriteOptions<T> = {},
): Promise<T | null> {
  for (let attempt = 0; attempt < tries; attempt++) {
    // By `_id` alone, other conditions checked here: FerretDB uses the index only for a lone `_id`.
    const current = (await target.docs.findOne({ _id: id } as Filter<T>)) as T | null;
    if (!current || !accepts(current)) return null;
    const fields = await plan(current);
    if (!fields || Object.keys(fields).length === 0) return current;

    const claim = await claimVersion(target, current, now(), leaseMs);
    if (claim) {
      // Only this claim's owner may replace the version read. A claim that outlived its lease may have
      // been taken over: then read again instead. (If the write throws, the claim is left to expire:
      // the write may still land, and nobody else may replace this version meanwhile.)
      //
      // Filters go by `_id` alone (anything else is a collection scan on FerretDB, which would not check
      // it atomically anyway), so the version is checked here: read again under the claim. A claim can
      // be made on a version that is already gone (its writer wrote and deleted its claim after we read
      // it): then the document read now is newer and we read and plan again. Under a live claim on the
      // current version nobody else writes, so the write that follows replaces exactly that version —
      // made only while at least half the lease remains (a write takes milliseconds, not half a lease).
      const written =
        now().getTime() < claim.expires_at.getTime() - leaseMs / 2 && (await isCurrent(target, current))
          ? ((await target.docs.findOneAndUpdate(
              { _id: current._id } as Filter<T>,
              { $set: { ...fields, updated_at: nextVersion(current.updated_at, now()) } as MatchKeysAndValues<T> },
              { returnDocument: 'after' },
            )) as T | null)
          : null;
      await target.claims.deleteOne({ _id: claim._id });
      if (written) return written;
      // Not written: the document changed or was deleted (the next read says so), or the lease ran out.
      continue;
    }
    // Another writer owns this version: its write lands in a few milliseconds; then plan again on it.
    await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 5 * 2 ** attempt));
  }
  throw new ConcurrentWriteError(id);
}

/** Whether `doc` is still the stored version (read by `_id`). */
async function isCurrent<T extends Versioned>({ docs }: VersionedTarget<T>, doc: T): Promise<boolean> {
  const now = (await docs.findOne({ _id: doc._id } as Filter<T>, { projection: { updated_at: 1 } })) as Pick<T, 'updated_at'> | null;
  return now !== null && now.updated_at.getTime() === doc.updated_at.getTime();
}

/**
 * Claims the right to replace `doc`'s current version; null when a live claim of another writer holds
 * it. A claim left by a writer that died is taken over with the next takeover number (deleting it
 * instead could delete a fresh claim of whoever took it over first).
 */
async function claimVersion<T extends Versioned>(
  { claims, scope }: VersionedTarget<T>,
  doc: T,
  now: Date,
  leaseMs: number,
): Promise<WriteClaimDoc | null> {
  for (let takeover = 0; ; takeover++) {
    const claim: WriteClaimDoc = {
      _id: `${scope}/${doc._id}/${doc.updated_at.getTime()}/${takeover}`,
      doc_id: doc._id,
      expires_at: new Date(now.getTime() + leaseMs),
    };
    try {
      await claims.insertOne(claim);
      return claim;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const held = await claims.findOne({ _id: claim._id });
    // Deleted just now: its owner wrote, so this version is gone; the caller reads again.
    if (!held) return null;
    if (held.expires_at > now) return null;
  }
}

/**
 * Claims left behind for a deleted document. Their `_id`s start with `<scope>/<document id>/`: one
 * `_id` range, sorted and limited (indexed on MongoDB and on Herald's FerretDB build), then deleted by
 * `_id`, instead of a filter on `doc_id`, which FerretDB answers by reading every claim.
 */
export async function deleteClaims({ claims, scope }: Pick<VersionedTarget<Versioned>, 'claims' | 'scope'>, docId: string): Promise<void> {
  const prefix = `${scope}/${docId}/`;
  // `0` follows `/`: the first key after every claim of the document.
  const range = { $gte: prefix, $lt: `${scope}/${docId}0` };
  for (;;) {
    const found = await claims
      .find({ _id: range }, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .limit(CLAIMS_PER_DELETE)
      .toArray();
    await deleteByIds(
      claims,
      found.map((claim) => claim._id),
    );
    if (found.length < CLAIMS_PER_DELETE) return;
  }
}

const CLAIMS_PER_DELETE = 1_000;

/**
 * Runs `act` as the only holder of document `id`'s current version, then moves the version on: for a
 * decision over other documents that concurrent deciders must take one at a time (is this the account's
 * last API key?), where no single document's write can carry the decision. Every other caller waits
 * for its turn and decides on what `act` left. `act` should take milliseconds, like a write (see
 * `leaseMs`). Null when there is no such document.
 */
export async function underVersionClaim<T extends Versioned, R>(
  target: VersionedTarget<T>,
  id: string,
  act: (current: T) => Promise<R>,
  { tries = 30, leaseMs = 30_000, now = () => new Date() }: Omit<VersionedWriteOptions<T>, 'accepts'> = {},
): Promise<R | null> {
  for (let attempt = 0; attempt < tries; attempt++) {
    const current = (await target.docs.findOne({ _id: id } as Filter<T>)) as T | null;
    if (!current) return null;
    const claim = await claimVersion(target, current, now(), leaseMs);
    if (claim) {
      // As in writeVersioned: only on the version read, with at least half the lease left.
      if (now().getTime() < claim.expires_at.getTime() - leaseMs / 2 && (await isCurrent(target, current))) {
        try {
          return await act(current);
        } finally {
          // Moved on even when `act` threw (it may have written part of its work): whoever comes next
          // decides on a fresh read.
          await target.docs.updateOne({ _id: current._id } as Filter<T>, {
            $set: { updated_at: nextVersion(current.updated_at, now()) } as MatchKeysAndValues<T>,
          });
          await target.claims.deleteOne({ _id: claim._id });
        }
      }
      await target.claims.deleteOne({ _id: claim._id });
      continue;
    }
    await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 5 * 2 ** attempt));
  }
  throw new ConcurrentWriteError(id);
}
