// The REST route of a procedure (`meta({ openapi })`): the REST face (rest.ts) serves it and the OpenAPI
// document (openapi.ts) lists it. A procedure needs an `.output()` schema as well to appear there.
import type { OpenApiMeta } from 'trpc-to-openapi';

type Route = NonNullable<OpenApiMeta['openapi']>;

/** A route helper for one router: every route it makes is grouped under `tag` in the document. */
export function routesTagged(tag: string) {
  return (method: Route['method'], path: Route['path'], summary: string, extra: Partial<Route> = {}): OpenApiMeta => ({
    openapi: { method, path, summary, tags: [tag], ...extra },
  });
}
