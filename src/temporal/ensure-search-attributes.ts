// The dev server registers Herald's search attributes from its command line; an external Temporal
// (docker-compose, a cluster) gets them here, once, at start. Adding existing ones is harmless.
//
// On a cluster the namespace may be created by whoever runs it moments before Herald starts, and a
// cluster's frontends learn of a new namespace and of new search attributes from a cache refreshed
// every ~10 s: so Herald waits (bounded) until the namespace exists and a visibility query naming every
// attribute is accepted, then starts. Several Herald processes starting together may add the same
// attributes at once: one add wins, the others find them present when they look again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { NativeConnection } from '@temporalio/worker';
import { SEARCH_ATTRIBUTE_NAMES } from './search-attributes.js';

const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const UNAVAILABLE = 14;

/** How long Herald waits at start for the namespace and its search attributes. */
export const NAMESPACE_WAIT_MS = 120_000;

export async function ensureSearchAttributes(
  connection: NativeConnection,
  namespace: string,
  timeoutMs = NAMESPACE_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seconds = Math.round(timeoutMs / 1000);
  let lastError: unknown;

  // 1. The namespace exists.
  for (;;) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      break;
    } catch (error) {
      if ((error as { code?: number }).code !== NOT_FOUND) throw error;
      if (Date.now() > deadline) {
        throw new Error(
          `Temporal namespace "${namespace}" does not exist (waited ${seconds} s). Create it (e.g. \`temporal operator ` +
            `namespace create -n ${namespace}\`) or set TEMPORAL_NAMESPACE to an existing one.`,
        );
      }
      await sleep(500);
    }
  }

  // 2. Its search attributes are registered (by this process or another one starting at the same time).
  for (;;) {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTE_NAMES.filter((name) => !(customAttributes && name in customAttributes));
    if (missing.length === 0) break;
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
      });
      break;
    } catch (error) {
      lastError = error;
      if (Date.now() > deadline) {
        throw new Error(
          `could not add Temporal search attributes ${missing.join(', ')} to namespace "${namespace}" ` +
            `(${(error as Error).message}); SQL visibility has a limited number of Keyword attributes per namespace`,
        );
      }
      await sleep(500);
    }
  }

  // 3. The frontend's namespace cache knows them: a query naming every attribute is accepted.
  const query = SEARCH_ATTRIBUTE_NAMES.map((name) => `${name} = "herald-start-probe"`).join(' AND ');
  for (;;) {
    try {
      await connection.workflowService.countWorkflowExecutions({ namespace, query });
      return;
    } catch (error) {
      lastError = error;
      // Anything but "not (yet) known" (a server whose visibility cannot count, say) is not this wait's business.
      if (![INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE].includes((error as { code?: number }).code ?? -1)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `Temporal namespace "${namespace}" does not accept Herald's search attributes after ${seconds} s: ${(lastError as Error).message}`,
        );
      }
      await sleep(500);
    }
  }
}
