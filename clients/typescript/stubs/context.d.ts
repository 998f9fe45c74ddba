// Stands in for src/api/context.ts in the package's bundled types. The router's type carries the
// server's request context (its MongoDB store, Temporal client, config), which a client never reads:
// replacing it keeps every server dependency out of the package.
export type Context = object;
export type AppDeps = object;
export type Caller = object;
export type RequestInfo = object;
