// Pure parts of issue 19 §3: the built-in event types' examples (daimon's, verbatim, and valid against
// their own schemas), the example check, the portal's framing headers and HERALD_PORTAL_FRAME_ANCESTORS.
import { describe, expect, it } from 'vitest';
import { checkExample } from '../../src/api/event-type-example.js';
import { portalHeaders } from '../../src/api/portal-page.js';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { BUILT_IN_EVENT_TYPES } from '../../src/domain/event-catalogue.js';
import { DAIMON_EXAMPLES } from '../support/daimon-examples.js';

describe('built-in event type examples', () => {
  it("are daimon's documented examples, verbatim, on exactly the types daimon documents", () => {
    const withExample = [...BUILT_IN_EVENT_TYPES.values()].filter((t) => t.example !== null);
    expect(withExample.map((t) => t.name).sort()).toEqual(Object.keys(DAIMON_EXAMPLES).sort());
    for (const type of withExample) expect(type.example).toEqual(DAIMON_EXAMPLES[type.name as keyof typeof DAIMON_EXAMPLES]);
  });

  it('match their own schemas', () => {
    for (const type of BUILT_IN_EVENT_TYPES.values()) {
      if (type.example) expect(() => checkExample(type.name, type.schema, type.example as Record<string, unknown>)).not.toThrow();
    }
  });
});

describe('checkExample', () => {
  const schema = { type: 'object', required: ['invoice'], properties: { invoice: { type: 'object', required: ['id'] } } };
  it('names the fields that do not match, under example', () => {
    expect(() => checkExample('invoice.paid', schema, { invoice: {} })).toThrow(/example/);
    try {
      checkExample('invoice.paid', schema, { event: 'invoice.sent', invoice: { id: 'inv_1' } });
      expect.unreachable();
    } catch (error) {
      expect((error as { cause: { issues: Array<{ path: unknown[] }> } }).cause.issues.map((i) => i.path)).toEqual([['example', 'event']]);
    }
  });
  it('checks the type’s fields only: the envelope’s are the receiver’s routing fields', () => {
    expect(() =>
      checkExample('invoice.paid', schema, { event: 'invoice.paid', event_id: 'evt_1', account_id: 'acc_1', invoice: { id: 'inv_1' } }),
    ).not.toThrow();
  });
});

describe('portal framing', () => {
  it("refuses every frame by default: frame-ancestors 'none' and X-Frame-Options DENY", () => {
    const headers = portalHeaders(loadConfig({}).portal.frameAncestors);
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
  });
  it('allows the sites HERALD_PORTAL_FRAME_ANCESTORS names, and only them', () => {
    const config = loadConfig({ HERALD_PORTAL_FRAME_ANCESTORS: 'https://app.example.com, https://*.example.org:8443' });
    expect(config.portal.frameAncestors).toEqual(['https://app.example.com', 'https://*.example.org:8443']);
    const headers = portalHeaders(config.portal.frameAncestors);
    expect(headers['content-security-policy']).toContain('frame-ancestors https://app.example.com https://*.example.org:8443');
    expect(headers['x-frame-options']).toBeUndefined();
  });
  it.each(['*', 'app.example.com', "https://a.example.com; script-src 'unsafe-inline'", 'javascript:alert(1)'])(
    'refuses %s as a frame ancestor',
    (value) => {
      expect(() => loadConfig({ HERALD_PORTAL_FRAME_ANCESTORS: value })).toThrow(ConfigError);
    },
  );
});
