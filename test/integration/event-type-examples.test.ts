// The optional `example` of event types (issue 19 §3): served by event_types.list (daimon's documented
// examples on its built-in types, verbatim), accepted by event_types.create/update only when its fields
// match the type's schema, kept valid when the schema changes, cleared with null.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAIMON_EXAMPLES } from '../support/daimon-examples.js';
import { type Face, ok, restFace, trpcFace } from '../support/faces.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

let herald: TestHerald;
const faces: Record<string, Face> = {};

beforeAll(async () => {
  herald = await startTestHerald();
  faces.tRPC = trpcFace(herald.url);
  faces.REST = restFace(herald.url);
});
afterAll(async () => {
  await herald?.stop();
});

const SCHEMA = { type: 'object', required: ['invoice'], properties: { invoice: { type: 'object', required: ['id', 'amount'] } } };
const EXAMPLE = { event: 'invoice.paid', event_id: 'evt_1', account_id: 'acc_1', invoice: { id: 'inv_1', amount: 1200 } };

type TypeView = { type: string; example: Record<string, unknown> | null };
async function listed(face: Face, name: string): Promise<TypeView | undefined> {
  const { event_types } = ok(await face.call(undefined, 'event_types.list')) as { event_types: TypeView[] };
  return event_types.find((t) => t.type === name);
}

describe('event type examples', () => {
  it.each(['tRPC', 'REST'])("built-in types carry daimon's documented examples verbatim, the others none (%s)", async (name) => {
    const face = faces[name] as Face;
    for (const [type, example] of Object.entries(DAIMON_EXAMPLES)) expect((await listed(face, type))?.example).toEqual(example);
    expect((await listed(face, 'message.delivered'))?.example).toBeNull();
  });

  it.each(['tRPC', 'REST'])('are validated against the schema on create, the failing field named (%s)', async (name) => {
    const face = faces[name] as Face;
    const type = `invoice.${name.toLowerCase()}_bad`;
    const bad = await face.call(herald.adminKey, 'event_types.create', {
      name: type,
      description: 'x',
      scope: 'account',
      schema: SCHEMA,
      example: { invoice: { id: 'inv_1' } },
    });
    expect(bad).toMatchObject({ ok: false, status: 400, errors: [{ path: 'example.invoice.amount' }] });
    const wrongType = await face.call(herald.adminKey, 'event_types.create', {
      name: type,
      description: 'x',
      scope: 'account',
      schema: SCHEMA,
      example: { ...EXAMPLE, event: 'invoice.other' },
    });
    expect(wrongType).toMatchObject({ ok: false, status: 400, errors: [{ path: 'example.event' }] });
    expect(await listed(face, type)).toBeUndefined();
  });

  it('are stored, kept valid when the schema changes, replaced and cleared', async () => {
    const face = faces.REST as Face;
    const created = ok(
      await face.call(herald.adminKey, 'event_types.create', {
        name: 'invoice.paid',
        description: 'An invoice was paid.',
        scope: 'account',
        schema: SCHEMA,
        example: EXAMPLE,
      }),
    );
    expect(created).toMatchObject({ type: 'invoice.paid', example: EXAMPLE });
    expect((await listed(face, 'invoice.paid'))?.example).toEqual(EXAMPLE);

    // A schema the stored example does not match is refused, naming the example's field.
    const stricter = { ...SCHEMA, required: ['invoice', 'customer'] };
    expect(await face.call(herald.adminKey, 'event_types.update', { name: 'invoice.paid', schema: stricter })).toMatchObject({
      ok: false,
      status: 400,
      errors: [{ path: 'example.customer' }],
    });
    // With an example that matches it, both change.
    const richer = { ...EXAMPLE, customer: { id: 'cus_1' } };
    expect(
      ok(await face.call(herald.adminKey, 'event_types.update', { name: 'invoice.paid', schema: stricter, example: richer })),
    ).toMatchObject({
      example: richer,
    });
    expect(ok(await face.call(herald.adminKey, 'event_types.update', { name: 'invoice.paid', example: null }))).toMatchObject({
      example: null,
    });
    // An account key may not set one.
    const { apiKey } = await herald.newAccount();
    expect(await face.call(apiKey, 'event_types.update', { name: 'invoice.paid', example: EXAMPLE })).toMatchObject({ status: 401 });
  });
});
