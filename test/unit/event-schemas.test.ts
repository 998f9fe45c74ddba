// The built-in types' JSON Schemas with ajv: daimon's documented examples pass verbatim, Herald's earlier
// shapes still pass, objects stay open, and a refusal names the field the producer most likely got wrong.
import { describe, expect, it } from 'vitest';
import { TEST_EVENT_TYPES, testSample } from '../../src/api/test-samples.js';
import {
  DAIMON_ACCOUNT_UPGRADED,
  DAIMON_MESSAGE_BOUNCED,
  DAIMON_MESSAGE_COMPLAINT,
  DAIMON_MESSAGE_RECEIVED,
  DAIMON_WEBHOOK_UNHEALTHY,
} from '../../src/domain/daimon-event-schemas.js';
import { BUILT_IN_EVENT_TYPE_NAMES, BUILT_IN_EVENT_TYPES, builtInEventType } from '../../src/domain/event-catalogue.js';
import { checkData, schemaProblem } from '../../src/domain/event-schema.js';
import { allExamples, DAIMON_EXAMPLES, publishInputOf } from '../support/daimon-examples.js';

const schemaOf = (name: string) => {
  const type = builtInEventType(name);
  if (!type) throw new Error(`${name} is not built in`);
  return type.schema;
};

const DAIMON_SCHEMAS: Record<string, Record<string, unknown>> = {
  'message.received': DAIMON_MESSAGE_RECEIVED,
  'message.bounced': DAIMON_MESSAGE_BOUNCED,
  'message.complaint': DAIMON_MESSAGE_COMPLAINT,
  'account.upgraded': DAIMON_ACCOUNT_UPGRADED,
  'webhook.unhealthy': DAIMON_WEBHOOK_UNHEALTHY,
};

describe('the built-in catalogue', () => {
  it('is the union of the five seed pages and Herald’s webhook.test', () => {
    expect([...BUILT_IN_EVENT_TYPE_NAMES].sort()).toEqual(
      [
        'message.received',
        'message.bounced',
        'message.complaint',
        'account.upgraded',
        'webhook.unhealthy',
        'message.sent',
        'message.delivered',
        'message.complained',
        'message.rejected',
        'domain.verified',
        'message.delivery_delayed',
        'message.received.spam',
        'sendmux.test',
        'webhook.test',
      ].sort(),
    );
  });

  it.each(BUILT_IN_EVENT_TYPE_NAMES)('%s has a valid draft 2020-12 schema', (name) => {
    const schema = schemaOf(name);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schemaProblem(schema)).toBeUndefined();
  });

  it('only webhook.test is not publishable; Herald emits webhook.unhealthy and webhook.test', () => {
    const types = [...BUILT_IN_EVENT_TYPES.values()];
    expect(types.filter((t) => !t.publishable).map((t) => t.name)).toEqual(['webhook.test']);
    expect(types.filter((t) => t.emitted_by_herald).map((t) => t.name)).toEqual(['webhook.unhealthy', 'webhook.test']);
  });
});

describe("daimon's documented examples", () => {
  it('are the five of the event reference', () => {
    expect(Object.keys(DAIMON_EXAMPLES)).toEqual([
      'message.received',
      'message.bounced',
      'message.complaint',
      'account.upgraded',
      'webhook.unhealthy',
    ]);
  });

  it.each(allExamples().map((example) => [example.event, example] as const))(
    '%s: its fields pass its type’s schema verbatim',
    (name, example) => {
      const { data } = publishInputOf(example);
      expect(checkData(schemaOf(name), data)).toEqual({ ok: true });
      // And daimon's own branch on its own, not only Herald's earlier shape.
      expect(checkData(DAIMON_SCHEMAS[name] as Record<string, unknown>, data)).toEqual({ ok: true });
    },
  );

  it('stay open: a field daimon adds later is accepted, at the top level and nested', () => {
    const { data } = publishInputOf(DAIMON_EXAMPLES['message.bounced']);
    const bounce = data.bounce as Record<string, unknown>;
    expect(checkData(schemaOf('message.bounced'), { ...data, new_field: 1, bounce: { ...bounce, mta: 'mx1' } })).toEqual({ ok: true });
  });
});

describe('refusals name the field', () => {
  it('a daimon bounce with an unknown type names bounce.type', () => {
    const { data } = publishInputOf(DAIMON_EXAMPLES['message.bounced']);
    const check = checkData(schemaOf('message.bounced'), { ...data, bounce: { ...(data.bounce as object), type: 'sideways' } });
    expect(check).toEqual({ ok: false, issues: [{ path: ['bounce', 'type'], message: 'must be equal to one of the allowed values' }] });
  });

  it("Herald's earlier bounce shape is still accepted, and its mistakes are named in its own terms", () => {
    const message = { id: 'msg_1', from: 'sender@example.com', to: ['agent@example.com'] };
    const schema = schemaOf('message.bounced');
    expect(checkData(schema, { message, bounce: { type: 'hard', recipients: ['agent@example.com'] } })).toEqual({ ok: true });
    const check = checkData(schema, { message, bounce: { type: 'sideways', recipients: [] } });
    expect(check.ok ? [] : check.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['bounce.recipients', 'bounce.type']);
  });

  it('a missing required field is named by its own path', () => {
    const check = checkData(schemaOf('account.upgraded'), { upgrade: { from_tier: 'free' } });
    expect(check.ok ? [] : check.issues.map((issue) => issue.path.join('.'))).toEqual(['upgrade.to_tier']);
  });

  it("Herald's earlier account.upgraded and message.received shapes pass", () => {
    expect(checkData(schemaOf('account.upgraded'), { account: { plan: 'pro', previous_plan: 'free' } })).toEqual({ ok: true });
    expect(checkData(schemaOf('message.received'), { message: { id: 'm1', from: 'a@example.com', subject: 'Hi' } })).toEqual({ ok: true });
  });
});

describe('types no seed documents a payload for', () => {
  it.each([
    'message.sent',
    'message.delivered',
    'message.complained',
    'message.rejected',
    'domain.verified',
    'message.delivery_delayed',
    'message.received.spam',
    'sendmux.test',
  ])('%s accepts any object', (name) => {
    expect(checkData(schemaOf(name), {})).toEqual({ ok: true });
    expect(checkData(schemaOf(name), { anything: { nested: [1, 'two'] } })).toEqual({ ok: true });
  });
});

describe('schemaProblem (operators’ schemas)', () => {
  it('accepts a draft 2020-12 schema, with or without $schema, and unknown keywords', () => {
    expect(schemaProblem({ type: 'object', required: ['invoice_id'], properties: { invoice_id: { type: 'string' } } })).toBeUndefined();
    expect(
      schemaProblem({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', 'x-owner': 'billing' }),
    ).toBeUndefined();
  });

  it.each([
    ['a malformed keyword', { type: 'strin' }],
    ['an unresolvable $ref', { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } }],
    ['another dialect', { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }],
    ['an async schema', { $async: true, type: 'object' }],
    ['a non-object', ['type', 'object']],
    ['a bad pattern', { type: 'string', pattern: '(' }],
  ])('refuses %s', (_, schema) => {
    expect(schemaProblem(schema)).toEqual(expect.any(String));
  });
});

describe('the samples webhooks.test sends', () => {
  it.each(TEST_EVENT_TYPES)('%s matches its type’s schema (daimon’s message.received is its documented example)', (type) => {
    const sample = testSample(type, { _id: 'wh_1', url: 'https://example.com/hook' });
    expect(checkData(schemaOf(type), sample.data)).toEqual({ ok: true });
    if (type === 'message.received') {
      const example = allExamples().find((e) => e.event === 'message.received');
      expect(example && publishInputOf(example).data).toEqual(sample.data);
    }
  });
});
