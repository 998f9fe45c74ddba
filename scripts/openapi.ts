// `npm run openapi`: writes openapi.json at the repository root, the OpenAPI document that
// `GET /v1/openapi.json` serves (the REST face and the compat faces' paths), generated from the router.
// Committed so that other languages' clients (clients/python) are generated from a reviewed file; a unit
// test (test/unit/openapi-document.test.ts) fails when the router and this file differ.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocumentText } from '../src/api/openapi-file.js';

const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
writeFileSync(target, openApiDocumentText());
console.error(`openapi: wrote ${target}`);
