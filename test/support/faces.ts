// Herald's two faces behind one test interface: the typed tRPC client and REST (fetch). A test written
// against `Face` runs against both, and the REST route of each procedure is read from its OpenAPI
// metadata, so the tests exercise exactly the routes the document advertises.
import { TRPCClientError } from '@trpc/client';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { appRouter } from '../../src/api/router.js';
import { createHeraldClient } from '../../src/client/index.js';

/** Answers are untyped here (one helper for every procedure); the tests' assertions check their shape. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

export type FieldError = { path: string; message: string; code: string };

export type CallResult<T = Json> =
  | { ok: true; status: 200; data: T }
  | { ok: false; status: number; name: string; message: string; reason?: string; errors: FieldError[]; run_id?: string };

export interface CallOptions {
  idempotencyKey?: string;
}

export interface Face {
  name: 'tRPC' | 'REST';
  /** Calls a procedure (`webhooks.get`) as the holder of `apiKey` (undefined: no Authorization header). */
  call<T = Json>(
    apiKey: string | undefined,
    procedure: string,
    input?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<CallResult<T>>;
}

type ProcedureDef = { type: 'query' | 'mutation'; meta?: OpenApiMeta };

function definition(procedure: string): ProcedureDef {
  const found = (appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>)[procedure];
  if (!found) throw new Error(`no procedure ${procedure}`);
  return found._def;
}

export function trpcFace(baseUrl: string): Face {
  return {
    name: 'tRPC',
    async call(apiKey, procedure, input, options = {}) {
      const client = createHeraldClient({ url: baseUrl, apiKey: apiKey ?? '' });
      const node = procedure.split('.').reduce<Json>((at, key) => at[key], client);
      const { type } = definition(procedure);
      try {
        const context = options.idempotencyKey === undefined ? {} : { context: { idempotencyKey: options.idempotencyKey } };
        const data = type === 'query' ? await node.query(input, context) : await node.mutate(input, context);
        return { ok: true, status: 200, data };
      } catch (error) {
        if (!(error instanceof TRPCClientError)) throw error;
        const data = error.data as { httpStatus: number; code: string; reason?: string; errors?: FieldError[]; run_id?: string };
        return {
          ok: false,
          status: data.httpStatus,
          name: data.code,
          message: error.message,
          reason: data.reason,
          errors: data.errors ?? [],
          ...(data.run_id ? { run_id: data.run_id } : {}),
        };
      }
    },
  };
}

export function restFace(baseUrl: string): Face {
  return {
    name: 'REST',
    async call(apiKey, procedure, input = {}, options = {}) {
      const openapi = definition(procedure).meta?.openapi;
      if (!openapi) throw new Error(`${procedure} has no REST route`);
      const rest: Record<string, unknown> = { ...input };
      const path = openapi.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = String(rest[name]);
        delete rest[name];
        return encodeURIComponent(value);
      });
      const url = new URL(`${baseUrl}${path}`);
      const headers: Record<string, string> = {};
      if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
      if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
      let body: string | undefined;
      if (openapi.method === 'GET' || openapi.method === 'DELETE') {
        for (const [key, value] of Object.entries(rest)) {
          for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
        }
      } else if (Object.keys(rest).length > 0) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(rest);
      }
      const response = await fetch(url, { method: openapi.method, headers, body });
      const json = (await response.json()) as Json;
      if (response.status === 200) return { ok: true, status: 200, data: json };
      return {
        ok: false,
        status: response.status,
        name: json.name,
        message: json.message,
        reason: json.reason,
        errors: json.errors ?? [],
        ...(json.run_id ? { run_id: json.run_id } : {}),
      };
    },
  };
}

/** The data of a call that must succeed, with the error in the failure message otherwise. */
export function ok<T>(result: CallResult<T>): T {
  if (!result.ok)
    throw new Error(`expected success, got ${result.status} ${result.name}: ${result.message} ${JSON.stringify(result.errors)}`);
  return result.data;
}
