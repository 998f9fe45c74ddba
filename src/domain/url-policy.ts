// Which webhook URLs Herald may call. In production: https only, and never an address inside a
// private network (SSRF). The development switch (HERALD_ALLOW_PRIVATE_URLS) lifts both.
import { BlockList, isIP } from 'node:net';

const FORBIDDEN_V4 = [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const;

// IPv4-mapped addresses (::ffff:a.b.c.d) need no entry: BlockList judges them as the IPv4 they carry.
// Ranges that embed an IPv4 address (IPv4-compatible, SIIT, NAT64, 6to4, Teredo) are refused whole:
// they could smuggle a private IPv4 address past the list above.
const FORBIDDEN_V6 = [
  ['::', 96], // unspecified (::), loopback (::1) and the deprecated IPv4-compatible ::a.b.c.d
  ['::ffff:0:0:0', 96], // SIIT IPv4-translated
  ['64:ff9b::', 96], // NAT64 (embeds IPv4)
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo (embeds IPv4)
  ['2001:2::', 48], // benchmarking
  ['2001:10::', 28], // ORCHID
  ['2001:20::', 28], // ORCHIDv2
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds IPv4)
  ['3fff::', 20], // documentation
  ['5f00::', 16], // SRv6 segment identifiers
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const;

const forbidden = new BlockList();
for (const [net, prefix] of FORBIDDEN_V4) forbidden.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of FORBIDDEN_V6) forbidden.addSubnet(net, prefix, 'ipv6');

/** IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it carries. */
function unmapped(ip: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return match?.[1] ?? ip;
}

export interface AddressPolicy {
  allowPrivate: boolean;
  /** Networks explicitly allowed even though private, e.g. `10.1.0.0/16` for an internal receiver. */
  allowedNetworks?: BlockList;
}

export function isForbiddenAddress(ip: string, policy: AddressPolicy): boolean {
  if (policy.allowPrivate) return false;
  const address = unmapped(ip);
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (policy.allowedNetworks?.check(address, family)) return false;
  return forbidden.check(address, family);
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Checks what can be checked without DNS: scheme, credentials, and literal IP hosts. */
export function checkWebhookUrl(raw: string, policy: AddressPolicy): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a valid URL' };
  }
  if (url.protocol !== 'https:' && !(policy.allowPrivate && url.protocol === 'http:')) {
    return { ok: false, reason: 'must use https' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not contain credentials' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && isForbiddenAddress(host, policy)) {
    return { ok: false, reason: `must not point to a private, loopback or reserved address (${host})` };
  }
  // `localhost.` (the fully qualified form) is localhost too.
  const name = host.replace(/\.$/, '');
  if (!policy.allowPrivate && (name === 'localhost' || name.endsWith('.localhost'))) {
    return { ok: false, reason: 'must not point to localhost' };
  }
  return { ok: true, url };
}

/** Parses `10.0.0.0/8,fd00::/8` into a BlockList; undefined for an invalid list. */
export function parseNetworks(text: string): BlockList | undefined {
  const list = new BlockList();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [net = '', prefix = ''] = part.split('/');
    const family = isIP(net);
    const bits = Number(prefix);
    if (!family || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) return undefined;
    list.addSubnet(net, bits, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
