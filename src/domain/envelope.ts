// The JSON body a receiver gets, following the daimon.email envelope: routing fields first, then the
// type's payload fields at the top level (e.g. "message": {…}). `data` never carries the routing fields
// (events.publish refuses them), so nothing a producer sends can overwrite them.

export interface EnvelopeSource {
  id: string;
  type: string;
  account_id: string;
  inbox_id: string | null;
  pod_id: string | null;
  data: Record<string, unknown>;
  created_at: Date;
  /** When it happened, as the producer sent it; the envelope's `timestamp` when given. */
  occurred_at?: string;
}

export function buildEnvelope(event: EnvelopeSource): string {
  return JSON.stringify({
    event: event.type,
    event_id: event.id,
    timestamp: event.occurred_at ?? event.created_at.toISOString(),
    account_id: event.account_id,
    ...(event.inbox_id ? { inbox_id: event.inbox_id } : {}),
    ...(event.pod_id ? { pod_id: event.pod_id } : {}),
    ...event.data,
  });
}
