// The JSON body a receiver gets, following the daimon.email envelope: routing fields first, then the
// type's payload fields at the top level (e.g. "message": {…}).

export interface EnvelopeSource {
  id: string;
  type: string;
  account_id: string;
  inbox_id: string | null;
  pod_id: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

export function buildEnvelope(event: EnvelopeSource): string {
  return JSON.stringify({
    event: event.type,
    event_id: event.id,
    timestamp: event.created_at.toISOString(),
    account_id: event.account_id,
    ...(event.inbox_id ? { inbox_id: event.inbox_id } : {}),
    ...(event.pod_id ? { pod_id: event.pod_id } : {}),
    ...event.data,
  });
}
