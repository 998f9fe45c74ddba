// fast-check values shaped by a JSON Schema (what zod's toJSONSchema gives for a procedure's input):
// mostly plausible, with junk mixed in at every level — wrong types, boundary lengths, keys databases
// dislike — so that fuzzing gets past input validation often enough to reach the code behind it.
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: string;
}

export interface ShapeOptions {
  /** How often a value is replaced by junk, at each level (0–1). */
  junkRate: number;
  /** Plausible values by property name, e.g. ids of objects that exist, so that lookups can succeed. */
  hints?: Record<string, fc.Arbitrary<unknown>>;
}

export const NASTY_KEYS = [
  '$where',
  '$set',
  'a.b',
  'k\u0000',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '',
  ' ',
  'x'.repeat(300),
];

export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '%00',
  '%ZZ',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "'; db.dropDatabase(); '",
  '{"$gt":""}',
  '💥🙂',
  'x'.repeat(5_000),
  'http://127.0.0.1:9/hook',
  'https://hooks.invalid/hook',
  'http://169.254.169.254/latest/meta-data',
  'http://[::1]:9/',
  'https://user:pass@hooks.invalid/',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'agent@example.com',
  'wh_01ARZ3NDEKTSV4RRFFQ69G5FAV',
  'evt_01ARZ3NDEKTSV4RRFFQ69G5FAV',
  '2026-01-01T00:00:00Z',
];

/** Any JSON, including deep and awkward shapes. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 6 },
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 2 },
  { arbitrary: fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER, 1e308, -1e308), weight: 1 },
  { arbitrary: fc.dictionary(fc.constantFrom(...NASTY_KEYS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), weight: 1 },
  { arbitrary: fc.integer({ min: 30, max: 200 }).map(nest), weight: 1 },
  { arbitrary: fc.constant([[1, 2], [3]]), weight: 1 },
);

function nest(levels: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

const URLS = fc.oneof(
  fc.webUrl({ validSchemes: ['http', 'https'] }),
  fc.constantFrom(
    'http://127.0.0.1:9/hook',
    'https://hooks.invalid/herald',
    'http://[::1]:9/x',
    'http://169.254.169.254/',
    'ftp://hooks.invalid/',
  ),
);
const EMAILS = fc.oneof(fc.emailAddress(), fc.constantFrom('a@b.c', 'agent@example.com', 'not-an-email'));

/** Strings for a property; its name hints at what a plausible one looks like. */
function stringFor(schema: JsonSchema, name: string | undefined, options: ShapeOptions): fc.Arbitrary<string> {
  const max = schema.maxLength ?? 64;
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  const fitting = schema.pattern
    ? fc.stringMatching(new RegExp(schema.pattern))
    : name === 'url'
      ? URLS
      : name && /^(from|to|cc|bcc|recipients|email)$/.test(name)
        ? EMAILS
        : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(max, 80) });
  const nasty = Math.max(1, Math.round(options.junkRate * 100));
  return fc.oneof(
    { arbitrary: fitting, weight: 300 },
    { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: nasty },
    { arbitrary: fc.constant('y'.repeat(max + 1)), weight: nasty },
  );
}

/** Values shaped by `schema`, each level replaced by junk at `junkRate`. */
export function fromJsonSchema(
  schema: JsonSchema,
  options: ShapeOptions = { junkRate: 0.1 },
  depth = 0,
  name?: string,
): fc.Arbitrary<unknown> {
  const plausible = plausibleFor(schema, options, depth, name);
  const junkWeight = Math.max(1, Math.round(options.junkRate * 100));
  return fc.oneof({ arbitrary: plausible, weight: 100 - junkWeight }, { arbitrary: junk, weight: junkWeight });
}

function plausibleFor(schema: JsonSchema, options: ShapeOptions, depth: number, name: string | undefined): fc.Arbitrary<unknown> {
  if (depth > 5) return fc.jsonValue({ maxDepth: 1 });
  const hint = name === undefined ? undefined : options.hints?.[name];
  if (hint) return fc.oneof({ arbitrary: hint, weight: 3 }, { arbitrary: plausibleFor(schema, options, depth, undefined), weight: 1 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((v) => fromJsonSchema(v, options, depth + 1)));
  if (schema.allOf?.length) return fromJsonSchema(Object.assign({}, ...schema.allOf), options, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      const known = fc.record(Object.fromEntries(properties.map(([key, sub]) => [key, fromJsonSchema(sub, options, depth + 1, key)])), {
        requiredKeys: properties.map(([key]) => key).filter((key) => required.has(key)),
      });
      // Open objects (a producer's data) get extra keys often, nasty ones included; closed ones rarely.
      const open = schema.additionalProperties !== false;
      const extraValue =
        typeof schema.additionalProperties === 'object' ? fromJsonSchema(schema.additionalProperties, options, depth + 1) : junk;
      const extra = fc.dictionary(
        fc.oneof({ arbitrary: fc.string({ maxLength: 12 }), weight: 3 }, { arbitrary: fc.constantFrom(...NASTY_KEYS), weight: 1 }),
        extraValue,
        { maxKeys: 3 },
      );
      const maybeExtra = fc.oneof({ arbitrary: fc.constant(undefined), weight: open ? 1 : 9 }, { arbitrary: extra, weight: 1 });
      return fc.tuple(known, maybeExtra).map(([k, e]) => (e ? { ...e, ...k } : k));
    }
    case 'array':
      return fc.array(schema.items ? fromJsonSchema(schema.items, options, depth + 1, name) : junk, {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min((schema.maxItems ?? 4) + 1, 12),
      });
    case 'string':
      return stringFor(schema, name, options);
    case 'integer':
      return fc.oneof(fc.integer({ min: schema.minimum ?? -10, max: schema.maximum ?? 1_000 }), fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53));
    case 'number':
      return fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(-1, 0, 0.5));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return junk;
  }
}
