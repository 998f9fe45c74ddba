// The attempt's POST for a `herald listen` webhook (docs/cli.md): Herald cannot open a connection to the
// developer's machine, so the signed request is left in the store for the API process that holds the
// CLI's connection, and the attempt waits for the CLI's answer (by `_id`, within the attempt's timeout).
// The answer is the attempt's response: classified, recorded and retried exactly as a receiver's.
import type { ListenRepo } from '../src/store/listen-repo.js';
import { type PostResult, REQUEST_HEADERS, RESPONSE_BODY_LIMIT } from './http-post.js';

export interface ListenRelay {
  post(
    sessionId: string,
    request: { deliveryId: string; eventId: string; eventType: string; headers: Record<string, string>; body: string },
    timeoutMs: number,
  ): Promise<PostResult>;
}

export function createListenRelay(listen: ListenRepo): ListenRelay {
  return {
    async post(sessionId, request, timeoutMs) {
      const started = Date.now();
      const requestId = await listen.addRequest({
        session_id: sessionId,
        delivery_id: request.deliveryId,
        event_id: request.eventId,
        event_type: request.eventType,
        headers: { ...REQUEST_HEADERS, ...request.headers },
        body: request.body,
        created_at: new Date(started),
      });
      // Polled, not pushed (no change streams): a CLI on the same machine answers within milliseconds, so
      // start short; an idle wait costs one `_id` read per 250 ms at most.
      for (let pauseMs = 5; ; pauseMs = Math.min(pauseMs * 2, 250)) {
        const answer = await listen.takeAnswer(requestId);
        if (answer) {
          return {
            statusCode: answer.status_code,
            responseBody: answer.body === null ? null : answer.body.slice(0, RESPONSE_BODY_LIMIT),
            error: answer.status_code === null ? { kind: 'network', message: answer.error ?? 'no answer from the local URL' } : null,
            retryAfter: undefined,
            durationMs: answer.duration_ms,
          };
        }
        const left = started + timeoutMs - Date.now();
        if (left <= 0) {
          await listen.withdraw(requestId);
          return {
            statusCode: null,
            responseBody: null,
            error: { kind: 'timeout', message: `no answer from herald listen within ${timeoutMs} ms` },
            retryAfter: undefined,
            durationMs: Date.now() - started,
          };
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(pauseMs, left)));
      }
    },
  };
}
