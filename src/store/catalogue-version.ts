// The event catalogue's version: a random value set anew after every change of a type added at run time.
// Each process keeps a copy of the catalogue (event-catalogue.ts) and checks it against this value
// whenever it needs a type that is not built-in: one read by `_id`. Every writer sets a new random
// value, so two changes racing (FerretDB applies updates as read-modify-write) still leave one that no
// copy has seen (as account-versions.ts explains).
//
// Kept in `webhook_versions` beside the accounts' versions, under an id no account can have, so that a
// server that answers `_id: {$in: [account, catalogue]}` from its index could read both at once (FerretDB
// 1.24 does not: it scans the collection for that, see docs/event-catalogue.md).
import { builtInEventType } from '../domain/event-catalogue.js';
import type { AccountVersion, AccountVersions } from './account-versions.js';

export const CATALOGUE_VERSION_ID = 'event_catalogue';

/** null: no type was ever added at run time. */
export type CatalogueVersion = string | null;

/** The catalogue's version is kept like an account's, under an id no account can have. */
export function createCatalogueVersion(versions: AccountVersions) {
  return {
    read: (): Promise<CatalogueVersion> => versions.read(CATALOGUE_VERSION_ID),
    /** After a change is written: every process reads the catalogue again when it next needs it. */
    touch: (): Promise<void> => versions.touch(CATALOGUE_VERSION_ID),
  };
}

export type CatalogueVersionStore = ReturnType<typeof createCatalogueVersion>;

/**
 * The versions a publish for `accountId` needs, in one round trip: the account's (for matching) and, when
 * one of `types` is not built-in, the catalogue's (undefined otherwise: built-in types never change). For
 * a caller that has not authenticated by an account key (e.g. a key that publishes for any account, the
 * account named in the input). Two reads by `_id` side by side rather than one `_id: {$in: […]}`:
 * FerretDB 1.24 pushes only a lone `_id` down to SQLite, and scans the collection for `$in`.
 */
export async function readVersions(
  accounts: AccountVersions,
  catalogue: CatalogueVersionStore,
  accountId: string,
  types: readonly string[],
): Promise<{ account: AccountVersion; catalogue: CatalogueVersion | undefined }> {
  const needsCatalogue = types.some((type) => !builtInEventType(type));
  const [account, catalogueVersion] = await Promise.all([accounts.read(accountId), needsCatalogue ? catalogue.read() : undefined]);
  return { account, catalogue: catalogueVersion };
}
