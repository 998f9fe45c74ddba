// SSRF in production mode (HERALD_ALLOW_PRIVATE_URLS=false): private, loopback, link-local, CGNAT,
// multicast and reserved addresses are refused when a webhook is saved (literal IPs, and names after
// DNS) and again at connect time (after DNS, so a name rebound to a private address does not get
// through). No external DNS is reachable here; `localhost` resolves to loopback.
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpSender, type HttpSender } from '../../activities/http-post.js';
import { assertDeliverableUrl } from '../../src/api/url-check.js';
import { type AddressPolicy, parseNetworks } from '../../src/domain/url-policy.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

const production: AddressPolicy = { allowPrivate: false };

const REFUSED = [
  // Names
  ['localhost', 'https://localhost/hook'],
  ['localhost, fully qualified', 'https://localhost./hook'],
  ['localhost, upper case', 'https://LOCALHOST/hook'],
  ['a .localhost name', 'https://api.localhost/hook'],
  // IPv4
  ['loopback', 'https://127.0.0.1/hook'],
  ['loopback, short form', 'https://127.1/hook'],
  ['loopback, decimal', 'https://2130706433/hook'],
  ['loopback, hex', 'https://0x7f000001/hook'],
  ['loopback, octal', 'https://0177.0.0.1/hook'],
  ['"this" network', 'https://0.0.0.0/hook'],
  ['private 10/8', 'https://10.0.0.1/hook'],
  ['private 172.16/12', 'https://172.31.255.254/hook'],
  ['private 192.168/16', 'https://192.168.1.1/hook'],
  ['link-local, cloud metadata', 'https://169.254.169.254/latest/meta-data'],
  ['CGNAT', 'https://100.64.0.1/hook'],
  ['CGNAT, top', 'https://100.127.255.254/hook'],
  ['IETF protocol assignments', 'https://192.0.0.8/hook'],
  ['documentation', 'https://192.0.2.1/hook'],
  ['benchmarking', 'https://198.18.0.1/hook'],
  ['multicast', 'https://224.0.0.1/hook'],
  ['multicast, SSDP', 'https://239.255.255.250/hook'],
  ['reserved', 'https://240.0.0.1/hook'],
  ['broadcast', 'https://255.255.255.255/hook'],
  // IPv6
  ['v6 loopback', 'https://[::1]/hook'],
  ['v6 unspecified', 'https://[::]/hook'],
  ['v4-mapped loopback', 'https://[::ffff:127.0.0.1]/hook'],
  ['v4-mapped private', 'https://[::ffff:10.0.0.1]/hook'],
  ['v4-mapped metadata', 'https://[::ffff:169.254.169.254]/hook'],
  ['v4-compatible loopback', 'https://[::127.0.0.1]/hook'],
  ['NAT64 of a private address', 'https://[64:ff9b::10.0.0.1]/hook'],
  ['6to4 of loopback', 'https://[2002:7f00:1::1]/hook'],
  ['Teredo', 'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook'],
  ['unique local', 'https://[fd12:3456:789a::1]/hook'],
  ['link-local', 'https://[fe80::1]/hook'],
  ['site-local', 'https://[fec0::1]/hook'],
  ['multicast', 'https://[ff02::1]/hook'],
  ['documentation', 'https://[2001:db8::1]/hook'],
  ['discard', 'https://[100::1]/hook'],
  // Scheme and credentials
  ['plain http', 'http://93.184.215.14/hook'],
  ['credentials', 'https://user:pass@93.184.215.14/hook'],
] as const;

const ACCEPTED = [
  ['public IPv4', 'https://93.184.215.14/hook'],
  ['just above CGNAT', 'https://100.128.0.1/hook'],
  ['just above 172.16/12', 'https://172.32.0.1/hook'],
  ['public IPv6', 'https://[2606:4700:4700::1111]/hook'],
  ['v4-mapped public', 'https://[::ffff:8.8.8.8]/hook'],
] as const;

describe('SSRF when a webhook is saved (production mode)', () => {
  it.each(REFUSED)('refuses %s: %s', async (_, url) => {
    await expect(assertDeliverableUrl(url, production)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it.each(ACCEPTED)('accepts %s: %s', async (_, url) => {
    await expect(assertDeliverableUrl(url, production)).resolves.toBeUndefined();
  });

  it('accepts a private network on the allow-list, and only that one', async () => {
    const policy: AddressPolicy = { allowPrivate: false, allowedNetworks: parseNetworks('10.1.0.0/16,fd00:1::/32') };
    await expect(assertDeliverableUrl('https://10.1.2.3/hook', policy)).resolves.toBeUndefined();
    await expect(assertDeliverableUrl('https://[::ffff:10.1.2.3]/hook', policy)).resolves.toBeUndefined();
    await expect(assertDeliverableUrl('https://[fd00:1::5]/hook', policy)).resolves.toBeUndefined();
    await expect(assertDeliverableUrl('https://10.2.0.1/hook', policy)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(assertDeliverableUrl('https://[fd00:2::5]/hook', policy)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('SSRF at connect time (production mode)', () => {
  let receiver: Receiver;
  let port: string;
  let sender: HttpSender;
  beforeAll(async () => {
    receiver = await startReceiver();
    port = new URL(receiver.url).port;
    sender = createHttpSender({ timeoutMs: 2_000, policy: production });
  });
  afterAll(async () => {
    await sender?.close();
    await receiver?.close();
  });

  // Every one of these reaches the live receiver on 127.0.0.1 when allowed; none may.
  it.each(['localhost', '127.0.0.1', '127.1', '2130706433', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]'])(
    'does not connect to %s',
    async (host) => {
      const result = await sender.post(`http://${host}:${port}/hook`, {}, '{}');
      expect(result).toMatchObject({ statusCode: null, error: { kind: 'forbidden' } });
      expect(receiver.requests).toHaveLength(0);
    },
  );

  it('checks the address DNS gives (a name is not trusted for what it was when saved)', async () => {
    // `localhost` stands in for any name that resolves to a private address: the check is on the
    // resolved address, in the connection's own lookup, not on the name.
    const result = await sender.post(`http://localhost:${port}/hook`, {}, '{}');
    expect(result.error?.message).toMatch(/localhost resolves to 127\.0\.0\.1/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('connects to an allow-listed network, by name and by address', async () => {
    const allowing = createHttpSender({ timeoutMs: 2_000, policy: { allowPrivate: false, allowedNetworks: parseNetworks('127.0.0.0/8') } });
    try {
      expect((await allowing.post(`http://localhost:${port}/hook`, {}, '{}')).statusCode).toBe(200);
      expect((await allowing.post(`http://127.0.0.1:${port}/hook`, {}, '{}')).statusCode).toBe(200);
      expect(receiver.requests).toHaveLength(2);
    } finally {
      await allowing.close();
    }
  });
});

describe('SSRF through the API (production mode)', () => {
  let herald: TestHerald;
  beforeAll(async () => {
    herald = await startTestHerald({ HERALD_ALLOW_PRIVATE_URLS: 'false' });
  });
  afterAll(async () => {
    await herald?.stop();
  });

  it.each(['https://169.254.169.254/latest', 'https://[::ffff:10.0.0.1]/hook', 'https://localhost/hook', 'http://93.184.215.14/hook'])(
    'webhooks.create refuses %s, naming the url field',
    async (url) => {
      const { client } = await herald.newAccount();
      const error = await client.webhooks.create.mutate({ url, event_types: ['message.sent'] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'BAD_REQUEST', errors: [{ path: 'url' }] });
    },
  );
});
