// Fits the router's input schemas (commands.json) to a command line, before trpc-cli turns them into
// options: the first required `…_id` field becomes the positional argument (`herald deliveries replay <id>`),
// lists of strings take one comma-separated value (`--event-types a,b`), and object fields take JSON or
// `@file.json` (`--data @event.json`). decodeInput turns those strings back into the procedure's input.
import type { JSONSchema7 } from 'json-schema';
import { CliInputError } from './config.js';

export interface CommandEntry {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  inputSchemas: JSONSchema7[];
}

/** How to turn a command's options back into the procedure's input. */
export interface Decoder {
  /** The procedure's path (the command's is kebab-case). */
  path: string;
  /** Option key (camelCase, which trpc-cli shows as --kebab-case) → the input's snake_case field. */
  fields: Map<string, string>;
  lists: string[];
  objects: string[];
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const kebab = (path: string) => path.replaceAll('_', '-');

type Parsed = [string, { type: CommandEntry['type']; inputSchemas: { success: true; value: JSONSchema7[] } }];

/** Commands are keyed by their kebab-case path (`api-keys.create`); the decoder names the procedure. */
export function adaptCommands(entries: CommandEntry[]): { parsed: Parsed[]; decoders: Map<string, Decoder> } {
  const decoders = new Map<string, Decoder>();
  const parsed = entries.map((entry): Parsed => {
    const schema = entry.inputSchemas[0];
    const decoder: Decoder = { path: entry.path, fields: new Map(), lists: [], objects: [] };
    decoders.set(kebab(entry.path), decoder);
    if (schema?.type !== 'object' || !schema.properties) {
      return [kebab(entry.path), { type: entry.type, inputSchemas: { success: true, value: entry.inputSchemas } }];
    }
    const positional = (schema.required ?? []).find((name) => name.endsWith('_id'));
    const properties = Object.fromEntries(
      Object.entries(schema.properties).map(([field, raw]) => {
        const property = raw as JSONSchema7;
        const name = camel(field);
        decoder.fields.set(name, field);
        if (field === positional) return [name, { ...property, positional: true }];
        if (property.type === 'array' && (property.items as JSONSchema7 | undefined)?.type === 'string') {
          decoder.lists.push(field);
          return [name, { type: 'string', description: `${property.description ?? name} (comma-separated)` }];
        }
        if (property.type === 'object' || property.type === 'array' || (!property.type && !property.enum && !property.anyOf)) {
          decoder.objects.push(field);
          return [name, { type: 'string', description: `${property.description ?? name} (JSON, or @file.json)` }];
        }
        // The pattern is Herald's to check; in help it is noise.
        const { pattern: _pattern, ...shown } = property;
        return [name, shown];
      }),
    );
    const required = (schema.required ?? []).map(camel);
    return [kebab(entry.path), { type: entry.type, inputSchemas: { success: true, value: [{ ...schema, properties, required }] } }];
  });
  return { parsed, decoders };
}

/** The procedure's input from a command's options; options that are not fields (--json, --api-key) are left out. */
export function decodeInput(decoder: Decoder, input: unknown, readFile: (path: string) => string): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const field = decoder.fields.get(key);
    if (field !== undefined && value !== undefined) decoded[field] = value;
  }
  for (const name of decoder.lists) {
    const value = decoded[name];
    if (typeof value === 'string')
      decoded[name] = value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
  }
  for (const name of decoder.objects) {
    const value = decoded[name];
    if (typeof value !== 'string') continue;
    const text = value.startsWith('@') ? readFile(value.slice(1)) : value;
    try {
      decoded[name] = JSON.parse(text);
    } catch {
      throw new CliInputErrorFor(name, value.startsWith('@') ? `${value.slice(1)} is not JSON` : 'is not JSON (pass JSON or @file.json)');
    }
  }
  return decoded;
}

class CliInputErrorFor extends CliInputError {
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
  }
}
