// Stands in for trpc-to-openapi in the package's bundled types: procedures' REST metadata (`meta`),
// which the server reads and a client never does.
export type OpenApiMeta = Record<string, unknown>;
