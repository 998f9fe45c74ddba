// The dev server registers Herald's search attributes from its command line; an external Temporal
// (docker-compose, a cluster) gets them here, once, at start. Adding existing ones is harmless.
import type { NativeConnection } from '@temporalio/worker';
import { SEARCH_ATTRIBUTE_NAMES } from './search-attributes.js';

const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD

export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTE_NAMES.filter((name) => !(customAttributes && name in customAttributes));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } catch (error) {
    // Several processes starting at once each add them; only one can: fine if they are all there now.
    const { customAttributes: now } = await connection.operatorService.listSearchAttributes({ namespace });
    if (SEARCH_ATTRIBUTE_NAMES.some((name) => !(now && name in now))) throw error;
  }
}
