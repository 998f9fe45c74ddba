// No store's (or library's) words in a client's answer: a procedure that fails unexpectedly answers
// "Internal server error" over tRPC as over REST, through Herald's real error formatter and tRPC's HTTP
// handler. (Issue 14, item 1: tRPC answered FerretDB's "infinity values are not allowed".)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Context } from '../../src/api/context.js';
import { createRateLimits } from '../../src/api/rate-limit.js';
import { publicProcedure, router } from '../../src/api/trpc.js';
import { loadConfig } from '../../src/config/env.js';

const STORE_WORDS = 'invalid value: { "x": +Inf } (infinity values are not allowed)';
const testRouter = router({
  boom: publicProcedure.query(() => {
    throw new Error(STORE_WORDS);
  }),
});

let server: Server;
let url: string;
beforeAll(async () => {
  const ctx = {
    deps: { rateLimits: createRateLimits(loadConfig({}).rateLimits) },
    caller: { kind: 'anonymous' },
    request: {},
  } as unknown as Context;
  server = createServer(createHTTPHandler({ router: testRouter, createContext: () => ctx }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('answers an unexpected failure with a 500 that says nothing of its cause', async () => {
  const response = await fetch(`${url}/boom`);
  const text = await response.text();
  expect(response.status).toBe(500);
  expect(text).not.toContain('infinity');
  expect(JSON.parse(text).error).toMatchObject({ message: 'Internal server error', data: { code: 'INTERNAL_SERVER_ERROR' } });
});
