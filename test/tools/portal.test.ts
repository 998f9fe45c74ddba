// The consumer portal in a real browser: Debian's chromium driven by playwright-core, against a whole
// Herald on the shared test servers and a real receiver. A platform makes a link; the page exchanges it
// for a session, adds an endpoint (its secret shown once), shows a delivery that failed (the receiver
// answers 500, Herald retries on a short schedule), replays it once the receiver answers 200 and shows
// it succeed. A used link and an expired link are refused, and the page refuses to be framed.
//
// PORTAL_SCREENSHOTS=1 writes the screenshots of the main pages to docs/portal/ (committed, shown in
// the README); otherwise to .herald-test/portal/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeraldClient } from '../../src/client/index.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = process.env.PORTAL_SCREENSHOTS === '1' ? 'docs/portal' : '.herald-test/portal';

let herald: TestHerald;
let receiver: Receiver;
let browser: Browser;
let receiverFails = true;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // Three attempts 200 ms apart, then failed; two such deliveries are fewer failures than make the
  // webhook unhealthy (which would park the replays).
  herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '200ms,200ms', HERALD_UNHEALTHY_AFTER: '20' });
  receiver = await startReceiver(() =>
    receiverFails ? { status: 500, body: '{"error":"database is down"}' } : { status: 200, body: '{"received":true}' },
  );
  // As root (CI), chromium needs --no-sandbox; no browser is downloaded: Debian's package is used.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await herald?.stop();
});

async function createLink(body: Record<string, unknown>, apiKey: string): Promise<{ url: string; expires_at: string }> {
  return createLinkOn(herald, body, apiKey);
}

async function createLinkOn(
  on: TestHerald,
  body: Record<string, unknown>,
  apiKey = on.adminKey,
): Promise<{ url: string; expires_at: string }> {
  const res = await fetch(`${on.url}/v1/portal/links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { url: string; expires_at: string };
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  return context.newPage();
}

const rowOf = (page: Page, eventId: string) => page.locator('tr[data-delivery]', { hasText: eventId });

describe('consumer portal in chromium', () => {
  it('opens a link, adds an endpoint, shows a failed delivery, replays it and shows it succeed', async () => {
    const { accountId, client } = await herald.newAccount('Acme agents');
    const link = await createLink({ account_id: accountId }, herald.adminKey);
    expect(link.url).toMatch(new RegExp(`^${herald.url}/portal#token=hpl_`));
    expect(Date.parse(link.expires_at) - Date.now()).toBeGreaterThan(55 * 60_000);

    const page = await newPage();
    await page.goto(link.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Endpoints' }).isVisible()).toBe(true);
    // The token left the address bar before the page did anything else.
    expect(page.url()).not.toContain('hpl_');
    await expect.poll(() => page.locator('#account').textContent()).toContain(accountId);

    // Add an endpoint through the form, by keyboard-reachable labelled fields; the secret is shown once.
    await page.getByLabel('Endpoint URL').fill(`${receiver.url}/hooks`);
    await page.getByLabel('Description').fill('Support agent');
    await page.getByRole('checkbox', { name: 'message.sent' }).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect.poll(() => page.locator('#secret').textContent()).toMatch(/^whsec_/);
    await page.screenshot({ path: join(SHOTS, 'webhook-created.png'), fullPage: true });

    const { webhooks } = await client.webhooks.list.query({});
    expect(webhooks).toHaveLength(1);
    const webhook = webhooks[0];
    expect(webhook?.event_types).toEqual(['message.received', 'message.sent']);
    const event = await client.events.publish.mutate({ type: 'message.sent', data: { message: { id: 'msg_portal_1' } } });
    const second = await client.events.publish.mutate({ type: 'message.sent', data: { message: { id: 'msg_portal_2' } } });

    // Both deliveries fail: three attempts each, answered 500.
    await page.getByRole('link', { name: 'Support agent' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Deliveries', exact: true }).isVisible()).toBe(true);
    const statusOf = async (eventId: string) => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return rowOf(page, eventId).locator('.badge').textContent({ timeout: 5_000 });
    };
    await expect.poll(() => statusOf(event.id)).toBe('failed');
    await expect.poll(() => statusOf(second.id)).toBe('failed');
    // The status filter.
    await page.getByLabel('Status').selectOption('succeeded');
    await expect.poll(() => page.getByText('No deliveries.').isVisible()).toBe(true);
    await page.getByLabel('Status').selectOption('failed');
    await expect.poll(() => page.locator('tr[data-delivery]').count()).toBe(2);

    await rowOf(page, event.id).getByRole('button', { name: 'Attempts' }).click();
    const attempts = page.locator('table.attempts tbody tr');
    await expect.poll(() => attempts.count()).toBe(3);
    await expect.poll(() => attempts.first().textContent()).toContain('500');
    await expect.poll(() => attempts.first().textContent()).toContain('database is down');
    await page.screenshot({ path: join(SHOTS, 'deliveries.png'), fullPage: true });

    // The receiver recovers; one delivery is replayed from its row and succeeds.
    receiverFails = false;
    await page.getByLabel('Status').selectOption('');
    await rowOf(page, event.id).getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => statusOf(event.id)).toBe('succeeded');
    // The other by recovering every failed delivery since yesterday, with progress.
    await page.getByRole('button', { name: 'Recover' }).click();
    await expect
      .poll(() => page.locator('form', { hasText: 'Replay every failed delivery' }).getByRole('status').textContent())
      .toContain('1 of 1 replayed: done');
    await expect.poll(() => statusOf(second.id)).toBe('succeeded');
    const statuses = await client.deliveries.list.query({ webhook_id: webhook?.id });
    expect(statuses.deliveries.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
    expect(receiver.requests.filter((r) => r.path === '/hooks')).toHaveLength(8);

    await page.getByRole('link', { name: 'Endpoints', exact: true }).click();
    await expect.poll(() => page.locator('tbody tr').first().textContent()).toContain('Support agent');
    await page.screenshot({ path: join(SHOTS, 'webhooks.png'), fullPage: true });

    // The catalogue shows each type's schema and, where daimon documents one, its example verbatim.
    await page.getByRole('link', { name: 'Event catalogue' }).click();
    const received = page.locator('details[data-type="message.received"]');
    await received.locator('summary').click();
    await expect.poll(() => received.getByLabel('message.received example').textContent()).toContain('"event_id": "evt_abc123xyz789"');
    await page.screenshot({ path: join(SHOTS, 'event-catalogue.png'), fullPage: false });
    await page.context().close();
  });

  it('refuses a used link and an expired link, in the page and over REST', async () => {
    const { accountId, apiKey } = await herald.newAccount();
    // An account key makes a link for its own account only.
    const link = await createLink({}, apiKey);
    const first = await newPage();
    await first.goto(link.url);
    await expect.poll(() => first.getByRole('heading', { name: 'Endpoints' }).isVisible()).toBe(true);
    await first.context().close();

    const second = await newPage();
    await second.goto(link.url);
    await expect.poll(() => second.getByRole('alert').textContent()).toContain('used already');
    await second.context().close();
    const token = new URL(link.url).hash.replace('#token=', '');
    const again = await fetch(`${herald.url}/v1/portal/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ reason: 'portal_link_used' });

    // A link past its expiry (made in the store: the API's shortest lifetime is a minute).
    const expired = await herald.deps.store.portal.createLink(accountId, new Date(Date.now() - 1_000));
    const late = await newPage();
    await late.goto(`${herald.url}/portal#token=${expired}`);
    await expect.poll(() => late.getByRole('alert').textContent()).toContain('expired');
    await late.context().close();
  });

  it('a session acts as its account on the portal procedures only', async () => {
    const mine = await herald.newAccount();
    const other = await herald.newAccount();
    const theirs = await other.client.webhooks.create.mutate({ url: `${receiver.url}/theirs`, event_types: ['message.sent'] });
    const link = await createLink({ account_id: mine.accountId }, herald.adminKey);
    const exchange = await fetch(`${herald.url}/v1/portal/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: new URL(link.url).hash.replace('#token=', '') }),
    });
    const { session_token } = (await exchange.json()) as { session_token: string };
    const session = createHeraldClient({ url: herald.url, apiKey: session_token });
    expect((await session.webhooks.list.query({})).webhooks).toEqual([]);
    await expect(session.webhooks.get.query({ webhook_id: theirs.id })).rejects.toMatchObject({ data: { httpStatus: 404 } });
    await expect(session.api_keys.list.query()).rejects.toMatchObject({ data: { httpStatus: 403 } });
    await expect(session.portal.create_link.mutate({})).rejects.toMatchObject({ data: { httpStatus: 403 } });
    await expect(session.accounts.list.query({})).rejects.toMatchObject({ data: { httpStatus: 403 } });
    await expect(session.events.publish.mutate({ type: 'message.sent', data: {} })).rejects.toMatchObject({ data: { httpStatus: 403 } });
    // An account key cannot make a link for another account.
    await expect(mine.client.portal.create_link.mutate({ account_id: other.accountId })).rejects.toMatchObject({
      data: { httpStatus: 404 },
    });
  });

  it('refuses to be framed: CSP frame-ancestors none and X-Frame-Options DENY, enforced by the browser', async () => {
    const res = await fetch(`${herald.url}/portal`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');

    // Another origin (the receiver) frames the portal: chromium refuses to render it there.
    const framing = await startReceiver(() => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: `<!doctype html><iframe id="f" src="${herald.url}/portal"></iframe>`,
    }));
    try {
      const page = await newPage();
      const blocked = page.waitForEvent('console', { predicate: (m) => /frame-ancestors|X-Frame-Options|refused/i.test(m.text()) });
      await page.goto(framing.url);
      await blocked;
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(
        await frame
          ?.locator('#view')
          .count()
          .catch(() => 0),
      ).toBe(0);
      await page.context().close();
    } finally {
      await framing.close();
    }
  });

  it('is framed by the sites HERALD_PORTAL_FRAME_ANCESTORS names, and works there', async () => {
    const platform = await startReceiver(() => ({ status: 200, headers: { 'content-type': 'text/html' }, body: page }));
    let page = '';
    const embedding = await startTestHerald({ HERALD_PORTAL_FRAME_ANCESTORS: platform.url });
    try {
      const res = await fetch(`${embedding.url}/portal`);
      expect(res.headers.get('content-security-policy')).toContain(`frame-ancestors ${platform.url}`);
      expect(res.headers.get('x-frame-options')).toBeNull();
      const { accountId } = await embedding.newAccount();
      const link = await createLinkOn(embedding, { account_id: accountId });
      page = `<!doctype html><title>Platform</title><iframe title="Webhooks" width="1000" height="600" src="${link.url}"></iframe>`;
      const browserPage = await newPage();
      await browserPage.goto(platform.url);
      const frame = browserPage.frameLocator('iframe[title="Webhooks"]');
      await expect.poll(() => frame.getByRole('heading', { name: 'Endpoints' }).isVisible()).toBe(true);
      await browserPage.context().close();
    } finally {
      await embedding.stop();
      await platform.close();
    }
  });
});
