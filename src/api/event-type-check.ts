// What the catalogue decides for a request: whether a type may be published (and its `data` matches the
// type's schema), subscribed to, or filtered by. Names are checked here, not by the input schemas,
// because the catalogue changes at run time; the errors look like input validation's (400, the field named).
import { TRPCError } from '@trpc/server';
import { ZodRealError } from 'zod';
import { ENVELOPE_KEYS, type EventTypeDefinition } from '../domain/event-catalogue.js';
import { checkData } from '../domain/event-schema.js';
import type { CatalogueVersion } from '../store/catalogue-version.js';
import type { EventCatalogue } from '../store/event-catalogue.js';

interface Issue {
  path: Array<string | number>;
  message: string;
}

function badRequest(message: string, issues: Issue[]): TRPCError {
  return new TRPCError({
    code: 'BAD_REQUEST',
    message,
    cause: new ZodRealError(issues.map((issue) => ({ code: 'custom' as const, ...issue, input: undefined }))),
  });
}

const UNKNOWN = 'is not an event type (see GET /v1/event-types)';

const ENVELOPE_KEY_MESSAGES: Record<(typeof ENVELOPE_KEYS)[number], string> = {
  event: 'is an envelope field: Herald sets it from the publish’s `type`',
  event_id: 'is an envelope field: Herald sets it from the publish’s `event_id`',
  timestamp: 'is an envelope field: send it as the publish’s `occurred_at`',
  account_id: 'is an envelope field: Herald sets it to the publishing account',
  inbox_id: 'is an envelope field: send it as the publish’s `inbox_id`',
  pod_id: 'is an envelope field: send it as the publish’s `pod_id`',
};

/**
 * The type of a publish, once it is known, publishable and not archived, and `data` is free of envelope
 * fields and matches the type's schema; otherwise a 400 naming `type` or the fields of `data`.
 */
export async function checkPublish(
  catalogue: EventCatalogue,
  input: { type: string; data: Record<string, unknown> },
  /** The catalogue's version, when the caller read it with the account's (authentication does). */
  known?: CatalogueVersion,
): Promise<EventTypeDefinition> {
  const [type] = await catalogue.lookUp([input.type], known);
  if (!type) throw badRequest(`type: ${UNKNOWN}`, [{ path: ['type'], message: UNKNOWN }]);
  if (type.archived_at) throw badRequest('type: is archived', [{ path: ['type'], message: 'is archived: it can no longer be published' }]);
  if (!type.publishable) throw badRequest('type: is emitted by Herald only', [{ path: ['type'], message: 'is emitted by Herald only' }]);
  const envelope = ENVELOPE_KEYS.filter((key) => Object.hasOwn(input.data, key));
  if (envelope.length > 0) {
    throw badRequest(
      'data must not carry envelope fields',
      envelope.map((key) => ({ path: ['data', key], message: ENVELOPE_KEY_MESSAGES[key] })),
    );
  }
  const check = checkData(type.schema, input.data);
  if (!check.ok) {
    throw badRequest(
      `data does not match the ${type.name} schema`,
      check.issues.map((issue) => ({ path: ['data', ...issue.path], message: issue.message })),
    );
  }
  return type;
}

/**
 * Subscribing to `names` (`field`: where they are in the input): every name must be a type, and none
 * archived unless the webhook has it already (`kept`): archiving a type does not force its subscribers
 * to drop it from every later update.
 */
export async function checkSubscribable(
  catalogue: EventCatalogue,
  names: readonly string[],
  field: string,
  kept: readonly string[] = [],
): Promise<void> {
  const types = await catalogue.lookUp(names);
  const issues = names.flatMap((name, i): Issue[] => {
    const type = types[i];
    if (!type) return [{ path: [field, i], message: UNKNOWN }];
    if (type.archived_at && !kept.includes(name)) return [{ path: [field, i], message: 'is archived: it can no longer be subscribed to' }];
    return [];
  });
  if (issues.length > 0) throw badRequest(`${field}: not every type can be subscribed to`, issues);
}

/** A filter by type (`field`): any type the catalogue has, archived ones included. */
export async function checkKnownType(catalogue: EventCatalogue, name: string | undefined, field: string): Promise<void> {
  if (name === undefined) return;
  const [type] = await catalogue.lookUp([name]);
  if (!type) throw badRequest(`${field}: ${UNKNOWN}`, [{ path: [field], message: UNKNOWN }]);
}
