// The event catalogue's version: a random value set anew after every change of a type added at run time.
// Each process keeps a copy of the catalogue (event-catalogue.ts) and checks it against this value
// whenever it needs a type that is not built-in: one read by `_id`. Every writer sets a new random
// value, so two changes racing (FerretDB applies updates as read-modify-write) still leave one that no
// copy has seen (as account-versions.ts explains).
//
// Kept in `webhook_versions` beside the accounts' versions, under an id no account can have, so that
// authentication reads both in one round trip (account-versions.ts `readWithCatalogue`).
import { type AccountVersions, CATALOGUE_VERSION_ID, type Versions } from './account-versions.js';

export { CATALOGUE_VERSION_ID };

/** null: no type was ever added at run time. */
export type CatalogueVersion = Versions['catalogue'];

/** The catalogue's version is kept like an account's, under an id no account can have. */
export function createCatalogueVersion(versions: AccountVersions) {
  return {
    read: (): Promise<CatalogueVersion> => versions.read(CATALOGUE_VERSION_ID),
    /** After a change is written: every process reads the catalogue again when it next needs it. */
    touch: (): Promise<void> => versions.touch(CATALOGUE_VERSION_ID),
  };
}

export type CatalogueVersionStore = ReturnType<typeof createCatalogueVersion>;
