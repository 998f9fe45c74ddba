// openapi.json (repository root) is what other languages' clients are generated from: it must be the
// document the router generates. On a failure, run `npm run openapi` and commit the result.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocumentText } from '../../src/api/openapi-file.js';

describe('openapi.json', () => {
  it('is the document the router generates (run `npm run openapi` after changing a route)', () => {
    const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
    // Compared as parsed JSON first, for a readable diff, then as text, so formatting drifts too.
    expect(JSON.parse(committed)).toEqual(JSON.parse(openApiDocumentText()));
    expect(committed).toBe(openApiDocumentText());
  });
});
