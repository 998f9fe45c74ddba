// An event type's `example` is a webhook body as a receiver gets it: the envelope's fields where given,
// and the type's own fields, which must match the type's schema (the same check a publish's `data` gets),
// so the catalogue never shows an example that Herald would refuse to publish.
import { TRPCError } from '@trpc/server';
import { ZodRealError } from 'zod';
import { ENVELOPE_KEYS, type JsonSchema } from '../domain/event-catalogue.js';
import { checkData } from '../domain/event-schema.js';

const ENVELOPE = new Set<string>(ENVELOPE_KEYS);

/** Throws a 400 naming the fields of `example` that do not fit type `name` with `schema`. */
export function checkExample(name: string, schema: JsonSchema, example: Record<string, unknown>): void {
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  if (example.event !== undefined && example.event !== name) issues.push({ path: ['example', 'event'], message: `must be ${name}` });
  const fields = Object.fromEntries(Object.entries(example).filter(([key]) => !ENVELOPE.has(key)));
  const check = checkData(schema, fields);
  if (!check.ok) issues.push(...check.issues.map((issue) => ({ path: ['example', ...issue.path], message: issue.message })));
  if (issues.length === 0) return;
  throw new TRPCError({
    code: 'BAD_REQUEST',
    message: `example does not match the ${name} schema: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    cause: new ZodRealError(issues.map((issue) => ({ code: 'custom' as const, ...issue, input: undefined }))),
  });
}
