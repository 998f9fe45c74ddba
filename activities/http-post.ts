// The outbound POST: keep-alive connections, no redirects, one timeout for the whole exchange, the
// response body truncated, and the SSRF check repeated at connect time (after DNS), so that a name
// that resolved to a public address when the webhook was saved cannot be rebound to a private one.
// Each webhook has a connection pool of its own (HERALD_CONNECTIONS_PER_WEBHOOK), so that one tenant's
// hanging endpoint cannot take the connections another tenant's deliveries to the same host need.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, errors, request } from 'undici';
import { type AddressPolicy, isForbiddenAddress } from '../src/domain/url-policy.js';

export const RESPONSE_BODY_LIMIT = 16 * 1024;

/** Sent with every delivery, beside the signature's headers. */
export const REQUEST_HEADERS = { 'content-type': 'application/json', 'user-agent': 'Herald-Webhooks/1.0' };

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

/** The POST was abandoned because the sender closed (shutdown): there is no answer to record. */
export class PostCancelledError extends Error {
  readonly code = 'HERALD_POST_CANCELLED';
}

export interface PostOptions {
  /**
   * The webhook's id: its requests go through a connection pool of their own, at most
   * `connectionsPerWebhook` connections, so one webhook's hanging endpoint cannot take the connections
   * another webhook's requests to the same host need.
   */
  pool?: string;
}

export interface HttpSender {
  /** `timeoutMs` overrides the sender's default for this request (a delivery carries the one it was dispatched with). */
  post(url: string, headers: Record<string, string>, body: string, timeoutMs?: number, options?: PostOptions): Promise<PostResult>;
  /** Abandons whatever is still in flight (`PostCancelledError`) and closes every connection. */
  close(): Promise<void>;
}

export interface HttpSenderOptions {
  timeoutMs: number;
  policy: AddressPolicy;
  /** HERALD_CONNECTIONS_PER_WEBHOOK: connections one webhook's pool may open (per process). */
  connectionsPerWebhook?: number;
  /** Webhooks with a pool at once; the least recently used one is closed beyond this. */
  maxPools?: number;
}

export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const connectionsPerWebhook = options.connectionsPerWebhook ?? 32;
  const maxPools = options.maxPools ?? 1_000;
  const newAgent = (connections: number) =>
    new Agent({
      keepAliveTimeout: 30_000,
      connections,
      connect: { timeout: options.timeoutMs, lookup: guardedLookup(options.policy) as never },
    });
  // Requests without a pool key (none from deliveries) share one agent.
  const shared = newAgent(64);
  // One agent per webhook, most recently used last (a Map keeps insertion order).
  const pools = new Map<string, Agent>();
  const agentFor = (key: string | undefined): Agent => {
    if (key === undefined) return shared;
    let agent = pools.get(key);
    if (agent) pools.delete(key);
    else agent = newAgent(connectionsPerWebhook);
    pools.set(key, agent);
    if (pools.size > maxPools) {
      const [oldestKey, oldest] = pools.entries().next().value as [string, Agent];
      pools.delete(oldestKey);
      // Lets its requests in flight finish; the webhook's next request opens a new pool.
      oldest.close().catch(() => undefined);
    }
    return agent;
  };
  const closing = new AbortController();

  return {
    async post(url, headers, body, timeoutMs = options.timeoutMs, postOptions = {}) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      if (closing.signal.aborted) throw new PostCancelledError('the HTTP sender is closed');
      // A literal IP never goes through DNS lookup, so it is checked here.
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && isForbiddenAddress(host, options.policy)) {
        return failure('forbidden', `${host} is a private or reserved address`, elapsed());
      }
      try {
        const response = await request(url, {
          method: 'POST',
          dispatcher: agentFor(postOptions.pool),
          headers: { ...REQUEST_HEADERS, ...headers },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), closing.signal]),
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
        if (closing.signal.aborted) throw new PostCancelledError(`abandoned after ${elapsed()} ms: the HTTP sender closed`);
        return classifyError(error, elapsed());
      }
    },
    async close() {
      closing.abort();
      const agents = [shared, ...pools.values()];
      pools.clear();
      await Promise.all(agents.map((agent) => agent.destroy().catch(() => undefined)));
    },
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
