// The outbound POST: keep-alive connections, no redirects, one timeout for the whole exchange, the
// response body truncated, and the SSRF check repeated at connect time (after DNS), so that a name
// that resolved to a public address when the webhook was saved cannot be rebound to a private one.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, errors, request } from 'undici';
import { type AddressPolicy, isForbiddenAddress } from '../src/domain/url-policy.js';

export const RESPONSE_BODY_LIMIT = 16 * 1024;

export interface PostResult {
  statusCode: number | null;
  responseBody: string | null;
  /** Set when no HTTP answer was received. */
  error: { kind: 'timeout' | 'network' | 'forbidden'; message: string } | null;
  retryAfter: string | undefined;
  durationMs: number;
}

export class ForbiddenAddressError extends Error {
  readonly code = 'HERALD_FORBIDDEN_ADDRESS';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const bad = addresses.find((a) => isForbiddenAddress(a.address, policy));
      if (bad) return callback(new ForbiddenAddressError(`${hostname} resolves to ${bad.address}, a private or reserved address`), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

export interface HttpSender {
  /** `timeoutMs` overrides the sender's default for this request (a delivery carries the one it was dispatched with). */
  post(url: string, headers: Record<string, string>, body: string, timeoutMs?: number): Promise<PostResult>;
  close(): Promise<void>;
}

export function createHttpSender(options: { timeoutMs: number; policy: AddressPolicy }): HttpSender {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    connections: 64,
    connect: { timeout: options.timeoutMs, lookup: guardedLookup(options.policy) as never },
  });

  return {
    async post(url, headers, body, timeoutMs = options.timeoutMs) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      // A literal IP never goes through DNS lookup, so it is checked here.
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && isForbiddenAddress(host, options.policy)) {
        return failure('forbidden', `${host} is a private or reserved address`, elapsed());
      }
      try {
        const response = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', 'user-agent': 'Herald-Webhooks/1.0', ...headers },
          body,
          signal: AbortSignal.timeout(timeoutMs),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const responseBody = await readTruncated(response.body);
        const retryAfter = response.headers['retry-after'];
        return {
          statusCode: response.statusCode,
          responseBody,
          error: null,
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          durationMs: elapsed(),
        };
      } catch (error) {
        return classifyError(error, elapsed());
      }
    },
    close: () => agent.close(),
  };
}

async function readTruncated(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_BODY_LIMIT) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8');
}

function failure(kind: 'timeout' | 'network' | 'forbidden', message: string, durationMs: number): PostResult {
  return { statusCode: null, responseBody: null, error: { kind, message }, retryAfter: undefined, durationMs };
}

function classifyError(error: unknown, durationMs: number): PostResult {
  const cause = (error as { cause?: unknown }).cause;
  if (error instanceof ForbiddenAddressError || cause instanceof ForbiddenAddressError) {
    return failure('forbidden', (cause instanceof ForbiddenAddressError ? cause : (error as Error)).message, durationMs);
  }
  const name = (error as Error).name;
  if (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError ||
    name === 'TimeoutError' ||
    name === 'AbortError'
  ) {
    return failure('timeout', `no answer within the timeout (${(error as Error).message})`, durationMs);
  }
  const code = (error as { code?: string }).code ?? (cause as { code?: string } | undefined)?.code;
  return failure('network', `${code ? `${code}: ` : ''}${(error as Error).message}`, durationMs);
}
