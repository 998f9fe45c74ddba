import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from '../../src/api/page-token.js';
import { fieldErrorsOf } from '../../src/api/trpc.js';
import { planWebhookUpdate } from '../../src/api/webhook-update.js';
import { idPattern, newId } from '../../src/domain/ids.js';
import type { WebhookDoc } from '../../src/store/documents.js';

const now = new Date();
const webhook: WebhookDoc = {
  _id: newId('wh'),
  account_id: 'acc_1',
  url: 'https://example.com/hook',
  name: 'hook',
  event_types: ['message.sent'],
  inbox_ids: ['a', 'b'],
  pod_ids: [],
  client_id: null,
  status: 'active',
  enabled: true,
  secrets: [],
  created_at: now,
  updated_at: now,
};

function failingField(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof TRPCError ? fieldErrorsOf(error)?.[0]?.path : undefined;
  }
  return undefined;
}

describe('planWebhookUpdate', () => {
  it('changes only what is given, keeping the order of ids', () => {
    expect(planWebhookUpdate(webhook, { webhook_id: webhook._id })).toEqual({});
    expect(planWebhookUpdate(webhook, { webhook_id: webhook._id, name: null, add_inbox_ids: ['c', 'a'], remove_inbox_ids: ['b'] })).toEqual(
      {
        name: null,
        inbox_ids: ['a', 'c'],
      },
    );
    // Removing an id that is not there is not an error (PATCH), and unchanged values are not written.
    expect(planWebhookUpdate(webhook, { webhook_id: webhook._id, url: webhook.url, remove_pod_ids: ['x'] })).toEqual({ pod_ids: [] });
  });

  it('holds the limit after applying, and refuses an id both added and removed', () => {
    const eight = Array.from({ length: 8 }, (_, i) => `n${i}`);
    expect(planWebhookUpdate(webhook, { webhook_id: webhook._id, add_inbox_ids: eight }).inbox_ids).toHaveLength(10);
    expect(failingField(() => planWebhookUpdate(webhook, { webhook_id: webhook._id, add_inbox_ids: [...eight, 'n8'] }))).toBe(
      'add_inbox_ids',
    );
    expect(failingField(() => planWebhookUpdate(webhook, { webhook_id: webhook._id, add_pod_ids: ['p'], remove_pod_ids: ['p'] }))).toBe(
      'remove_pod_ids',
    );
  });
});

describe('page tokens', () => {
  it('round-trip an id and refuse anything else', () => {
    const id = newId('wh');
    expect(decodePageToken(encodePageToken(id), idPattern('wh'))).toBe(id);
    expect(failingField(() => decodePageToken('garbage', idPattern('wh')))).toBe('page_token');
    expect(failingField(() => decodePageToken(encodePageToken(newId('key')), idPattern('wh')))).toBe('page_token');
  });
});
