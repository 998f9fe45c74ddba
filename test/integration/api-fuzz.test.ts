// Property-based fuzzing of every procedure through the real HTTP server: random and malformed bodies,
// query strings, methods, content types and Authorization headers. Whatever comes in, the answer is
// never a 5xx and always typed JSON: a tRPC result, a tRPC error (BAD_REQUEST with field errors for bad
// input), or a batch of those. The procedure list and input shapes come from the router itself, so new
// procedures are fuzzed without touching this file; a served OpenAPI document adds its REST routes.
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appRouter } from '../../src/api/router.js';
import { BUILT_IN_EVENT_TYPES } from '../../src/domain/event-catalogue.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { fromJsonSchema, type JsonSchema, junk, NASTY_STRINGS, type ShapeOptions } from '../support/json-schema-arbitrary.js';

interface Procedure {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  /** Mostly valid, with nasty keys and strings: gets past validation to the code behind it. */
  plausible: fc.Arbitrary<unknown>;
  /** Anything at all. */
  wild: fc.Arbitrary<unknown>;
}

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // An explicit length: Node sends no framing for a DELETE or OPTIONS body otherwise, and the server's
    // HTTP parser would rightly refuse what follows.
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = request(`${base}${path}`, { method, headers: { ...headers, ...length }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function toJsonSchema(inputs: unknown[]): JsonSchema {
  const [first] = inputs;
  if (!first) return {};
  try {
    return z.toJSONSchema(first as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return {};
  }
}

/** Publishing gets data shaped by the chosen type's own schema, so that events get all the way in. */
function publishInput(options: ShapeOptions) {
  const publishable = [...BUILT_IN_EVENT_TYPES.values()].filter((type) => type.publishable);
  return fc.constantFrom(...publishable).chain(({ name: type, schema }) =>
    fc.record(
      {
        type: fc.oneof({ arbitrary: fc.constant(type), weight: 19 }, { arbitrary: junk, weight: 1 }),
        data: fromJsonSchema(schema as JsonSchema, options),
        inbox_id: fc.oneof(fc.stringMatching(/^inbox_[a-z0-9]{1,8}$/), fc.constantFrom(...NASTY_STRINGS)),
        event_id: fc.oneof(
          { arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,30}$/), weight: 4 },
          fc.constantFrom(...NASTY_STRINGS),
        ),
      },
      { requiredKeys: ['type', 'data'] },
    ),
  );
}

const OVERRIDES: Record<string, (options: ShapeOptions) => fc.Arbitrary<unknown>> = { 'events.publish': publishInput };

/** Every procedure of the router, with input arbitraries from its own schema (built once ids exist to hint at). */
function fuzzableProcedures(hints: ShapeOptions['hints']): Procedure[] {
  return (
    Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: Procedure['type']; inputs: unknown[] } }>)
      // The subscription (listen.requests) answers a stream by design: cli-listen.test.ts covers its errors.
      .filter(([, procedure]) => procedure._def.type !== 'subscription')
      .map(([path, procedure]) => {
        const shaped = (options: ShapeOptions) =>
          OVERRIDES[path]?.(options) ?? fromJsonSchema(toJsonSchema(procedure._def.inputs), options);
        return { path, type: procedure._def.type, plausible: shaped({ junkRate: 0.03, hints }), wild: shaped({ junkRate: 0.2, hints }) };
      })
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  undefined,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  '*/*',
];
const METHODS = ['right', 'right', 'right', 'right', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const ENCODINGS = ['json', 'json', 'json', 'json', 'batch', 'batch-of-two', 'malformed', 'bytes', 'empty'] as const;
const PATH_NOISE = ['', '', '', '', '/', '%20', ',events.publish', ',nope', '.x', '/..'];
const EXTRA_QUERY = [
  '',
  '',
  '',
  'batch=0',
  'batch=1',
  'input=',
  'input=null',
  'input=%7B',
  'x=%ZZ',
  'batch=1&input=%7B%220%22%3A1%7D',
  'input[]=1',
];

function isTrpcAnswer(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  if ('result' in value) return typeof value.result === 'object' && value.result !== null && 'data' in value.result;
  if (!('error' in value) || typeof value.error !== 'object' || value.error === null) return false;
  const error = value.error as { message?: unknown; code?: unknown; data?: { code?: unknown; httpStatus?: unknown; errors?: unknown } };
  if (typeof error.message !== 'string' || typeof error.code !== 'number') return false;
  if (typeof error.data?.code !== 'string' || typeof error.data.httpStatus !== 'number') return false;
  if (error.data.httpStatus >= 500) return false;
  // Field errors, when present, are {path, message, code} each.
  const errors = error.data.errors;
  if (errors !== undefined) {
    if (!Array.isArray(errors)) return false;
    if (!errors.every((e) => typeof e?.path === 'string' && typeof e?.message === 'string' && typeof e?.code === 'string')) return false;
  }
  return true;
}

function expectTypedJson(answer: Answer, label: string): void {
  expect(answer.status, `${label} → ${answer.status} ${answer.body.slice(0, 300)}`).toBeLessThan(500);
  expect(answer.status, label).toBeGreaterThanOrEqual(200);
  if (answer.body === '') {
    // Only HEAD, an OPTIONS preflight and a 204 may come without a body — and Node's own 431 for a URL
    // over its header size limit, sent by its HTTP parser before any of Herald's code runs (a body there
    // would break HEAD requests, whose method the parser never got to read).
    const bodyless = /^(HEAD|OPTIONS) /.test(label) || answer.status === 204 || answer.status === 431;
    expect(bodyless, `${label} → ${answer.status} with an empty body`).toBe(true);
    return;
  }
  expect(answer.contentType, `${label} → content-type`).toMatch(/^application\/json/);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    throw new Error(`${label} → ${answer.status}, not JSON: ${answer.body.slice(0, 200)}`);
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  expect(items.length, label).toBeGreaterThan(0);
  for (const item of items) expect(isTrpcAnswer(item), `${label} → ${answer.body.slice(0, 300)}`).toBe(true);
}

let herald: TestHerald;
let keys: Record<string, string | undefined>;
let procedures: Procedure[] = [];
let requests = 0;
/** `procedure status` → count, for the closing line. */
const statuses = new Map<string, number>();
/** Calls that got all the way through (a `result`), per procedure: the fuzzing is not stopped at validation. */
const successes = new Map<string, number>();
function count(procedure: string, answer: Answer): void {
  statuses.set(`${procedure} ${answer.status}`, (statuses.get(`${procedure} ${answer.status}`) ?? 0) + 1);
  const results = answer.body.match(/"result":\{"data"/g)?.length ?? 0;
  successes.set(procedure, (successes.get(procedure) ?? 0) + results);
}

beforeAll(async () => {
  // Few webhooks per account: valid publishes then start few deliveries (to closed ports), so the
  // fuzzing measures the API, not a delivery backlog.
  herald = await startTestHerald({ HERALD_MAX_WEBHOOKS_PER_ACCOUNT: '25' });
  const { apiKey, client } = await herald.newAccount('fuzz');
  // Objects that exist, so that lookups by id sometimes find something (and another account's, which must not).
  const own = await client.webhooks.create.mutate({ url: 'http://127.0.0.1:9/own', event_types: ['domain.verified'] });
  const other = await (await herald.newAccount('other')).client.webhooks.create.mutate({
    url: 'http://127.0.0.1:9/other',
    event_types: ['domain.verified'],
  });
  // Type names are strings to the input schemas (the catalogue decides at run time): hint at real ones.
  const typeName = fc.constantFrom(...BUILT_IN_EVENT_TYPES.keys());
  procedures = fuzzableProcedures({
    webhook_id: fc.constantFrom(own.id, other.id),
    event_types: fc.uniqueArray(typeName, { minLength: 1, maxLength: 3 }),
    event_type: typeName,
  });
  const { producer_key } = await herald.admin.producer_keys.create.mutate({ name: 'fuzz' });
  keys = {
    none: undefined,
    account: `Bearer ${apiKey}`,
    admin: `Bearer ${herald.adminKey}`,
    producer: `Bearer ${producer_key}`,
    wrong: 'Bearer hk_not_a_real_key',
    basic: 'Basic YWRtaW46YWRtaW4=',
    empty: 'Bearer ',
    long: `Bearer ${'k'.repeat(8_000)}`,
  };
});
afterAll(async () => {
  agent.destroy();
  await herald?.stop();
});

describe('API fuzzing over HTTP', () => {
  it('answers well-formed calls with adversarial inputs with typed JSON and never a 5xx', async () => {
    const call = fc.constantFrom(...procedures).chain((procedure) =>
      fc.record({
        procedure: fc.constant(procedure.path),
        input: procedure.plausible,
        second: fc.option(procedure.plausible, { freq: 4 }),
        auth: fc.constantFrom('account', 'account', 'account', 'admin', 'none', 'producer'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(call, async (c) => {
        const procedure = procedures.find((p) => p.path === c.procedure) as Procedure;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        const auth = keys[c.auth];
        if (auth) headers.authorization = auth;
        const batch = c.second !== null;
        const payload = JSON.stringify(batch ? { 0: c.input, 1: c.second } : c.input);
        const path = `/trpc/${batch ? `${c.procedure},${c.procedure}` : c.procedure}`;
        const query = procedure.type === 'query' ? [`input=${encodeURIComponent(payload)}`] : [];
        if (batch) query.push('batch=1');
        const url = `${path}${query.length ? `?${query.join('&')}` : ''}`;
        requests++;
        const answer = await send(
          herald.url,
          procedure.type === 'query' ? 'GET' : 'POST',
          url,
          headers,
          procedure.type === 'query' ? undefined : payload,
        );
        count(c.procedure, answer);
        expectTypedJson(
          answer,
          `${procedure.type === 'query' ? 'GET' : 'POST'} ${url.slice(0, 200)} ${procedure.type === 'query' ? '' : payload.slice(0, 300)}`,
        );
      }),
      { numRuns: 1_000 },
    );
    // The fuzzing is not vacuous: plenty of calls got all the way through, the writes among them. (The
    // runs are spread over every procedure, so each one's share shrinks as the router grows.)
    const through = [...successes.values()].reduce((a, b) => a + b, 0);
    expect(through).toBeGreaterThan(100);
    expect(successes.get('events.publish') ?? 0).toBeGreaterThan(0);
    expect(successes.get('webhooks.create') ?? 0).toBeGreaterThan(0);
  });

  it('answers every procedure, whatever HTTP it is sent, with typed JSON and never a 5xx', async () => {
    const call = fc.constantFrom(...procedures).chain((procedure) =>
      fc.record({
        procedure: fc.constant(procedure.path),
        input: procedure.wild,
        second: procedure.wild,
        auth: fc.constantFrom('account', 'account', 'account', 'admin', 'none', 'wrong', 'basic', 'empty', 'long'),
        method: fc.constantFrom(...METHODS),
        encoding: fc.constantFrom(...ENCODINGS),
        contentType: fc.constantFrom(...CONTENT_TYPES),
        pathNoise: fc.constantFrom(...PATH_NOISE),
        extraQuery: fc.constantFrom(...EXTRA_QUERY),
        malformed: fc.string({ maxLength: 200 }),
        bytes: fc.uint8Array({ maxLength: 200 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(call, async (c) => {
        const procedure = procedures.find((p) => p.path === c.procedure) as Procedure;
        const method = c.method === 'right' ? (procedure.type === 'query' ? 'GET' : 'POST') : c.method;
        const payload =
          c.encoding === 'batch'
            ? JSON.stringify({ 0: c.input })
            : c.encoding === 'batch-of-two'
              ? JSON.stringify({ 0: c.input, 1: c.second })
              : c.encoding === 'malformed'
                ? c.malformed
                : c.encoding === 'empty'
                  ? ''
                  : JSON.stringify(c.input ?? null);
        const batched = c.encoding.startsWith('batch');
        let path = `/trpc/${c.procedure}${c.pathNoise}`;
        if (c.encoding === 'batch-of-two') path += `,${c.procedure}`;
        const query = [batched ? 'batch=1' : '', c.extraQuery].filter(Boolean);
        const headers: Record<string, string> = {};
        const auth = keys[c.auth];
        if (auth) headers.authorization = auth;
        if (c.contentType) headers['content-type'] = c.contentType;
        let body: string | Uint8Array | undefined;
        if (method === 'GET' || method === 'HEAD') {
          if (c.encoding !== 'bytes') query.unshift(`input=${encodeURIComponent(payload)}`);
        } else {
          body = c.encoding === 'bytes' ? c.bytes : payload;
        }
        const url = `${path}${query.length ? `?${query.join('&')}` : ''}`;
        requests++;
        const answer = await send(herald.url, method, url, headers, body);
        count(c.procedure, answer);
        expectTypedJson(answer, `${method} ${url.slice(0, 200)}`);
      }),
      { numRuns: 800 },
    );
  });

  it('answers arbitrary paths and raw bodies under /trpc/ with typed JSON and never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.webPath({ size: 'small' }),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        ),
        fc.constantFrom(...Object.keys({ none: 0, account: 0, admin: 0, wrong: 0 })),
        async (webPath, method, body, auth) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          const key = keys[auth];
          if (key) headers.authorization = key;
          const url = `/trpc/${webPath.replace(/^\//, '')}`;
          requests++;
          expectTypedJson(
            await send(herald.url, method, url, headers, method === 'GET' || method === 'HEAD' ? undefined : body),
            `${method} ${url}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers the REST routes of the served OpenAPI document with JSON and never a 5xx', async (ctx) => {
    let document: { paths?: Record<string, Record<string, unknown>> } | undefined;
    for (const candidate of ['/v1/openapi.json', '/openapi.json']) {
      const answer = await send(herald.url, 'GET', candidate, {});
      if (answer.status === 200) {
        document = JSON.parse(answer.body);
        break;
      }
    }
    if (!document?.paths) return ctx.skip('no OpenAPI document is served yet');
    const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ path: path.startsWith('/v1') || path.startsWith('/compat/') ? path : `/v1${path}`, method: m.toUpperCase() })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.stringMatching(/^[a-z]{2,4}_[0-9A-Z]{4,26}$/)),
        fc.oneof(
          junk.map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 100 }),
        ),
        fc.constantFrom('account', 'admin', 'none', 'wrong', 'producer'),
        fc.constantFrom('', 'limit=0', 'limit=101', 'limit=abc', 'page_token=%ZZ', 'ascending=maybe', 'since=yesterday', 'status=nope'),
        async (route, param, body, auth, query) => {
          // Every byte percent-encoded: valid for any string, lone surrogates included (as U+FFFD).
          const segment = [...Buffer.from(param, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
          const path = route.path.replace(/\{[^}]+\}/g, segment);
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          const key = keys[auth];
          if (key) headers.authorization = key;
          const url = `${path}${query ? `?${query}` : ''}`;
          requests++;
          const answer = await send(herald.url, route.method, url, headers, route.method === 'GET' ? undefined : body);
          expect(answer.status, `${route.method} ${url} → ${answer.status} ${answer.body.slice(0, 300)}`).toBeLessThan(500);
          if (answer.body) expect(() => JSON.parse(answer.body), `${route.method} ${url}: not JSON`).not.toThrow();
        },
      ),
      { numRuns: 600 },
    );
  });

  it('answers a number JSON cannot hold or invalid Unicode anywhere in event data with a 400 naming its path, on both faces', async () => {
    // Clean data (storable keys, no arrays in arrays), then one poison placed anywhere in it: a value
    // (±1e400, which JSON.parse makes ±Infinity; a string with a lone surrogate) or a key with a lone
    // surrogate. The answer must be a 400 whose only field error is that path: the store never sees it.
    const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,7}$/);
    const scalar = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const { value: clean } = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar,
        tie('object'),
        fc.array(fc.oneof(scalar, tie('object')), { maxLength: 4 }),
      ),
      object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    }));
    const loneSurrogate = fc
      .oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff }))
      .map((c) => String.fromCharCode(c));
    const badString = fc.tuple(fc.string({ maxLength: 3 }), loneSurrogate, fc.string({ maxLength: 3 })).map(([a, s, b]) => `${a}${s}${b}`);
    const poison = fc.oneof(
      fc.constantFrom('1e400', '-1e400', '2e308', '-9.9e999').map((text) => ({ kind: 'number' as const, text })),
      badString.map((text) => ({ kind: 'string' as const, text })),
      badString.map((text) => ({ kind: 'key' as const, text })),
    );
    const MARK = '"__poison_value__"';
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(key, clean, { minKeys: 1, maxKeys: 4 }),
        fc.nat(),
        poison,
        // Types whose schema is an open object, so that the poison is the only problem of data.
        fc.constantFrom('message.sent', 'message.delivered', 'message.rejected', 'domain.verified', 'message.delivery_delayed'),
        fc.constantFrom('REST', 'tRPC'),
        async (generated, where, bad, type, face) => {
          // A copy: fast-check hands the same values to later runs while shrinking.
          const data = structuredClone(generated);
          // Every object and array in data, with its path; the poison goes into one of them.
          const containers: { at: Array<string | number>; node: Record<string, unknown> | unknown[] }[] = [];
          const visit = (node: unknown, at: Array<string | number>) => {
            if (Array.isArray(node)) {
              containers.push({ at, node });
              for (const [i, item] of node.entries()) visit(item, [...at, i]);
            } else if (node && typeof node === 'object') {
              containers.push({ at, node: node as Record<string, unknown> });
              for (const [k, v] of Object.entries(node)) visit(v, [...at, k]);
            }
          };
          visit(data, []);
          const target = containers[where % containers.length] as (typeof containers)[number];
          let path: Array<string | number>;
          const inserted = bad.kind === 'number' ? '__poison_value__' : bad.kind === 'string' ? bad.text : 1;
          if (Array.isArray(target.node)) {
            if (bad.kind === 'key') return; // an array has no keys: nothing to place here
            path = [...target.at, target.node.length];
            target.node.push(inserted);
          } else {
            const name = bad.kind === 'key' ? bad.text : `poison_${where}`;
            path = [...target.at, name];
            target.node[name] = inserted;
          }
          const input = JSON.stringify({ type, data }).replace(MARK, bad.kind === 'number' ? bad.text : MARK);
          const url = face === 'REST' ? '/v1/events' : '/trpc/events.publish';
          requests++;
          const answer = await send(
            herald.url,
            'POST',
            url,
            { 'content-type': 'application/json', authorization: keys.account as string },
            input,
          );
          const label = `${face} ${input.slice(0, 300)} → ${answer.status} ${answer.body.slice(0, 300)}`;
          expect(answer.status, label).toBe(400);
          const body = JSON.parse(answer.body);
          const errors: { path: string }[] = (face === 'REST' ? body.errors : body.error?.data?.errors) ?? [];
          expect(
            errors.map((e) => e.path),
            label,
          ).toEqual([['data', ...path].join('.')]);
          checked++;
        },
      ),
      { numRuns: 300 },
    );
    expect(checked).toBeGreaterThan(200);
  });

  it('is still healthy afterwards', async () => {
    expect((await send(herald.url, 'GET', '/healthz', {})).status).toBe(200);
    const histogram = [...statuses].sort().map(([key, n]) => `${key}: ${n}`);
    process.stdout.write(`[fuzz] ${requests} requests over ${procedures.length} procedures, no 5xx, every answer typed JSON\n`);
    process.stdout.write(`[fuzz] answers by procedure and status: ${histogram.join(', ')}\n`);
    process.stdout.write(`[fuzz] calls that got through: ${[...successes].map(([p, n]) => `${p} ${n}`).join(', ')}\n`);
  });
});
