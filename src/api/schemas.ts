// Input schemas of every procedure. Strict objects: an unknown field is an error, not silently ignored.
import { z } from 'zod';
import { EventTypeSchema, PUBLISHABLE_EVENT_TYPES } from '../domain/event-catalogue.js';
import { EVENT_ID_PATTERN } from '../domain/ids.js';
import { findUnstorableJson } from '../domain/storable-json.js';

const scopeId = z.string().min(1).max(255);
const scopeIds = z
  .array(scopeId)
  .max(10)
  .refine((ids) => new Set(ids).size === ids.length, 'must not contain duplicates');

export const WebhookIdInput = z.strictObject({ webhook_id: z.string().min(1).max(64) });

export const CreateAccountInput = z.strictObject({ name: z.string().trim().min(1).max(255) });

export const CreateWebhookInput = z.strictObject({
  url: z.string().min(1).max(2_048),
  event_types: z
    .array(EventTypeSchema)
    .min(1)
    .refine((types) => new Set(types).size === types.length, 'must not contain duplicates'),
  inbox_ids: scopeIds.default([]),
  pod_ids: scopeIds.default([]),
  name: z.string().trim().min(1).max(255).optional(),
  client_id: z.string().min(1).max(255).optional(),
  enabled: z.boolean().default(true),
});

export const PublishEventInput = z.strictObject({
  type: z.enum(PUBLISHABLE_EVENT_TYPES),
  inbox_id: scopeId.optional(),
  pod_id: scopeId.optional(),
  data: z.record(z.string(), z.unknown()).superRefine((data, ctx) => {
    const problem = findUnstorableJson(data);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  }),
  event_id: z.string().regex(EVENT_ID_PATTERN, 'must be 1–128 characters of letters, digits, _ . : -').optional(),
});
