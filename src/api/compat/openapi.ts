// The compat faces in the OpenAPI document: a hand-kept zod-openapi fragment built from the same zod
// schemas the faces validate and answer with, merged into the document generated from the router.
import type { OpenAPIObject } from 'trpc-to-openapi';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { RestError } from '../rest.js';
import {
  AgentMailCreateRequest,
  AgentMailError,
  AgentMailList,
  AgentMailUpdateRequest,
  AgentMailValidationError,
  AgentMailWebhook,
} from './agentmail.js';
import {
  DaimonCreateRequest,
  DaimonDeleteAnswer,
  DaimonListAnswer,
  DaimonTestAnswer,
  DaimonUpdateRequest,
  DaimonWebhookAnswer,
} from './daimon.js';
import { SendmuxCreateRequest, SendmuxError, SendmuxTestAnswer, SendmuxWebhookAnswer } from './sendmux.js';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const path = { path: z.object({ webhook_id: z.string().describe('wh_…') }) };
/** Query strings as the caller writes them (the faces read integers and booleans exactly). */
const queryOf = (shape: Record<string, string>) =>
  z.object(Object.fromEntries(Object.entries(shape).map(([name, description]) => [name, z.string().optional().describe(description)])));

function op(
  tag: string,
  summary: string,
  errors: { schema: z.ZodType; statuses: string[]; validation?: z.ZodType },
  operation: Omit<ZodOpenApiOperationObject, 'responses'> & { responses: ZodOpenApiOperationObject['responses'] },
): ZodOpenApiOperationObject {
  const responses = { ...operation.responses };
  for (const status of errors.statuses) {
    responses[status as '400'] ??= json(status === '400' && errors.validation ? errors.validation : errors.schema, `Error ${status}`);
  }
  return { tags: [tag], summary, security: [{ bearer: [] }], ...operation, responses };
}

const DaimonErrors = { schema: RestError.meta({ id: 'Error' }), statuses: ['400', '401', '404', '409', '503'] };
const AgentMailErrors = { schema: AgentMailError, validation: AgentMailValidationError, statuses: ['400', '401', '404', '409', '503'] };
const SendmuxErrors = { schema: SendmuxError, statuses: ['400', '401', '404', '409', '503'] };

const daimon = (summary: string, operation: Parameters<typeof op>[3]) => op('compat: daimon.email', summary, DaimonErrors, operation);
const agentmail = (summary: string, operation: Parameters<typeof op>[3]) => op('compat: AgentMail', summary, AgentMailErrors, operation);
const sendmux = (summary: string, operation: Parameters<typeof op>[3]) => op('compat: Sendmux', summary, SendmuxErrors, operation);

const agentmailBase = '/compat/agentmail/v0/webhooks';

const paths: ZodOpenApiPathsObject = {
  '/compat/daimon/v1/webhooks': {
    post: daimon('Create a webhook (daimon.email)', {
      requestBody: { content: { 'application/json': { schema: DaimonCreateRequest } } },
      responses: { '200': json(DaimonWebhookAnswer, 'The webhook with its secret, and next steps') },
    }),
    get: daimon('List webhooks (daimon.email; undocumented there, answered in its style)', {
      requestParams: {
        query: queryOf({
          limit: '1–100, default 20',
          page_token: 'next_page_token of the previous page',
          status: 'active | unhealthy | disabled',
          inbox_id: 'webhooks scoped to this inbox',
        }),
      },
      responses: { '200': json(DaimonListAnswer, 'Newest first, without secrets') },
    }),
  },
  '/compat/daimon/v1/webhooks/{webhook_id}': {
    get: daimon('Get a webhook (daimon.email)', { requestParams: path, responses: { '200': json(DaimonWebhookAnswer, 'The webhook') } }),
    patch: daimon('Update a webhook (daimon.email)', {
      requestParams: path,
      requestBody: { content: { 'application/json': { schema: DaimonUpdateRequest } } },
      responses: { '200': json(DaimonWebhookAnswer, 'The webhook after the change') },
    }),
    delete: daimon('Delete a webhook (daimon.email)', { requestParams: path, responses: { '200': json(DaimonDeleteAnswer, 'Deleted') } }),
  },
  '/compat/daimon/v1/webhooks/{webhook_id}/enable': {
    post: daimon('Enable a webhook (daimon.email SDK webhooks.enable)', {
      requestParams: path,
      responses: { '200': json(DaimonWebhookAnswer, 'Active again; parked deliveries resume') },
    }),
  },
  '/compat/daimon/v1/webhooks/{webhook_id}/test': {
    post: daimon('Send a sample message.received event (daimon.email)', {
      requestParams: path,
      responses: { '200': json(DaimonTestAnswer, 'What the endpoint answered') },
    }),
  },
  [agentmailBase]: {
    get: agentmail('List webhooks (AgentMail)', {
      requestParams: {
        query: queryOf({ limit: '1–100, default 20', page_token: 'next_page_token of the previous page', ascending: 'true: oldest first' }),
      },
      responses: { '200': json(AgentMailList, 'A page of webhooks, each with its secret') },
    }),
    post: agentmail('Create a webhook (AgentMail)', {
      requestBody: { content: { 'application/json': { schema: AgentMailCreateRequest } } },
      responses: { '200': json(AgentMailWebhook, 'The webhook') },
    }),
  },
  [`${agentmailBase}/{webhook_id}`]: {
    get: agentmail('Get a webhook (AgentMail)', { requestParams: path, responses: { '200': json(AgentMailWebhook, 'The webhook') } }),
    patch: agentmail('Update a webhook (AgentMail)', {
      requestParams: path,
      requestBody: { content: { 'application/json': { schema: AgentMailUpdateRequest } } },
      responses: { '200': json(AgentMailWebhook, 'The webhook after the change') },
    }),
    delete: agentmail('Delete a webhook (AgentMail)', { requestParams: path, responses: { '200': { description: 'Deleted (no body)' } } }),
  },
  '/compat/sendmux/api/v1/webhooks': {
    post: sendmux('Create a webhook subscription (Sendmux)', {
      requestParams: {
        header: z.object({
          'Idempotency-Key': z
            .string()
            .max(255)
            .optional()
            .describe('Replays the first answer for 24 h; another body with the same key is 409 idempotency_conflict.'),
        }),
      },
      requestBody: { content: { 'application/json': { schema: SendmuxCreateRequest } } },
      responses: {
        '201': {
          ...json(SendmuxWebhookAnswer, 'Subscription created, including the signing secret'),
          headers: { Location: { description: 'The GET URL of the new subscription', schema: { type: 'string' } } },
        },
      },
    }),
  },
  '/compat/sendmux/api/v1/webhooks/{webhook_id}': {
    get: sendmux('Get a webhook subscription (Sendmux; the Location of create)', {
      requestParams: path,
      responses: { '200': json(SendmuxWebhookAnswer, 'The subscription, without its secret') },
    }),
  },
  '/compat/sendmux/api/v1/webhooks/{webhook_id}/test': {
    post: sendmux('Send a sendmux.test event (Sendmux)', {
      requestParams: path,
      responses: { '200': json(SendmuxTestAnswer, 'What the endpoint answered') },
    }),
  },
};

/** Adds the compat faces' paths and schemas to the document generated from the router. */
export function addCompatPaths(document: OpenAPIObject): void {
  const fragment = createDocument({ openapi: '3.1.0', info: { title: 'compat', version: '1' }, paths });
  document.paths = { ...document.paths, ...(fragment.paths as OpenAPIObject['paths']) };
  const schemas = { ...(document.components?.schemas ?? {}) } as Record<string, unknown>;
  for (const [name, schema] of Object.entries(fragment.components?.schemas ?? {})) {
    // `Error` is Herald's own, already there.
    if (!(name in schemas)) schemas[name] = schema;
  }
  document.components = { ...document.components, schemas: schemas as never };
}
