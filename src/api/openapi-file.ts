// The committed openapi.json's text: the document `GET /v1/openapi.json` serves, without a server URL
// (HERALD_PUBLIC_URL is a deployment's, not the API's), pretty-printed so that a change reads as a diff.
import { createOpenApiDocument } from './openapi.js';
import { appRouter } from './router.js';

export function openApiDocumentText(): string {
  return `${JSON.stringify(createOpenApiDocument(appRouter, undefined), null, 2)}\n`;
}
