// The REST adapter reads query strings by the procedure's input schema, whatever wraps the object
// (refinements, transforms, preprocessing), and refuses at startup an input it could not read.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initTRPC } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRestHandler } from '../../src/api/rest.js';
import { routesTagged } from '../../src/api/route-meta.js';

const t = initTRPC.meta<OpenApiMeta>().create();
const route = routesTagged('test');
const get = (path: `/${string}`) => route('GET', path, path);

const fields = {
  limit: z.number().int().default(10),
  ascending: z.boolean().default(false),
  since: z.iso.datetime({ offset: true }).optional(),
  status: z.enum(['ok', 'failed']).optional(),
  tags: z.array(z.number()).optional(),
};
const echo = ({ input }: { input: unknown }) => input;

const testRouter = t.router({
  refined: t.procedure
    .meta(get('/refined'))
    .input(z.strictObject(fields).refine((v) => v.limit !== 13, { message: 'unlucky', path: ['limit'] }))
    .query(echo),
  transformed: t.procedure
    .meta(get('/transformed'))
    .input(z.strictObject(fields).transform((v) => ({ ...v, transformed: true })))
    .query(echo),
  preprocessed: t.procedure
    .meta(get('/preprocessed/{id}'))
    .input(z.preprocess((v) => v, z.strictObject({ id: z.string(), ...fields })))
    .query(echo),
});

let server: Server;
let base: string;
beforeAll(async () => {
  const handle = createRestHandler({ router: testRouter, createContext: async () => ({}), maxBodySize: 1024 });
  server = createServer((req, res) => {
    void handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function query(path: string) {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: (await response.json()) as { errors?: { path: string }[] } & Record<string, unknown> };
}

describe.each(['/refined', '/transformed', '/preprocessed/p1'])('query strings on %s', (path) => {
  it('become numbers, booleans, dates and enums exactly', async () => {
    const since = '2030-01-01T00:00:00.000+02:00';
    const { status, body } = await query(`${path}?limit=5&ascending=true&since=${encodeURIComponent(since)}&status=failed&tags=1&tags=2`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ limit: 5, ascending: true, since, status: 'failed', tags: [1, 2] });
  });

  it.each([
    ['ascending=1', 'ascending'],
    ['ascending=False', 'ascending'],
    ['limit=1e3', 'limit'],
    ['limit=', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['status=FAILED', 'status'],
    ['since=2030-01-01', 'since'],
    ['tags=x', 'tags.0'],
    ['extra=1', 'extra'],
  ])('refuse %s, naming %s', async (search, field) => {
    const { status, body } = await query(`${path}?${search}`);
    expect(status).toBe(400);
    expect(body.errors?.map((e) => e.path)).toContain(field);
  });
});

it('runs the refinement on REST input', async () => {
  expect(await query('/refined?limit=13')).toMatchObject({ status: 400, body: { errors: [{ path: 'limit', message: 'unlucky' }] } });
});

it('refuses at startup an input it cannot read from a query string', () => {
  const scalar = t.router({ bad: t.procedure.meta(get('/bad')).input(z.string()).query(echo) });
  expect(() => createRestHandler({ router: scalar, createContext: async () => ({}), maxBodySize: 1024 })).toThrow(/bad.*object schema/);
});
