// Event types' JSON Schemas (draft 2020-12), checked and applied with ajv.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from './event-catalogue.js';

// ajv-formats is CommonJS: under Node's ESM loader its default import is `module.exports`, whose
// `default` is the plugin.
const addFormats = addFormatsModule.default;

/** Largest schema an operator may store (bytes of JSON). */
export const MAX_SCHEMA_BYTES = 64 * 1024;
/** Field errors reported for one refused `data`, at most. */
const MAX_ISSUES = 20;

export interface SchemaIssue {
  /** Path inside the validated value (`['bounce', 'type']`). */
  path: Array<string | number>;
  message: string;
}

export type DataCheck = { ok: true } | { ok: false; issues: SchemaIssue[] };

// strict: false: JSON Schema ignores keywords it does not know (`example`, vendor extensions), and an
// operator's schema written for another validator must still load. The meta-schema check below still
// refuses malformed known keywords (`"type": "strin"`). addUsedSchema: false: schemas with the same
// `$id` (an updated type) must not collide in the instance.
const ajv = new Ajv2020({ strict: false, allErrors: true, addUsedSchema: false });
addFormats(ajv);

// By schema object: built-in schemas are constants, an added type's is parsed once per catalogue read,
// so each is compiled once and dropped with it.
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/** Why `schema` cannot be an event type's schema; undefined when it can. */
export function schemaProblem(schema: unknown): string | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return 'must be a JSON Schema object';
  if (Buffer.byteLength(JSON.stringify(schema)) > MAX_SCHEMA_BYTES) return `must be at most ${MAX_SCHEMA_BYTES} bytes of JSON`;
  const dialect = (schema as JsonSchema).$schema;
  if (dialect !== undefined && dialect !== 'https://json-schema.org/draft/2020-12/schema') {
    return 'must be JSON Schema draft 2020-12 ($schema "https://json-schema.org/draft/2020-12/schema" or none)';
  }
  if (!ajv.validateSchema(schema)) return `is not a valid JSON Schema: ${ajv.errorsText(ajv.errors, { dataVar: 'schema' })}`;
  try {
    if ((schema as JsonSchema).$async !== undefined) return 'must not be asynchronous ($async)';
    ajv.compile(schema);
  } catch (error) {
    return `is not a valid JSON Schema: ${(error as Error).message}`;
  }
  return undefined;
}

function validatorFor(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** `data` against a schema that passed `schemaProblem` (built-in or stored). */
export function checkData(schema: JsonSchema, data: unknown): DataCheck {
  const validate = validatorFor(schema);
  if (validate(data)) return { ok: true };
  return { ok: false, issues: issuesOf(validate.errors ?? []) };
}

/**
 * ajv's errors as field issues. Under a top-level `anyOf` (a type that accepts daimon's shape or
 * Herald's earlier one) every branch reports its own errors: the branch that came closest (fewest
 * errors) is the one the producer most likely meant, so only its errors are named.
 */
function issuesOf(errors: ErrorObject[]): SchemaIssue[] {
  const branch = (error: ErrorObject) => /^#\/anyOf\/(\d+)\//.exec(error.schemaPath)?.[1];
  const byBranch = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const key = branch(error);
    if (key !== undefined) byBranch.set(key, [...(byBranch.get(key) ?? []), error]);
  }
  const closest = [...byBranch.values()].sort((a, b) => a.length - b.length)[0];
  const chosen = closest ?? errors;
  return chosen
    .filter((error) => error.keyword !== 'anyOf' || chosen.length === 1)
    .slice(0, MAX_ISSUES)
    .map((error) => ({ path: pathOf(error), message: error.message ?? 'is invalid' }));
}

function pathOf(error: ErrorObject): Array<string | number> {
  const path: Array<string | number> = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty) path.push(params.missingProperty);
  if (error.keyword === 'additionalProperties' && params.additionalProperty) path.push(params.additionalProperty);
  return path;
}
