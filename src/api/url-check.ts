// Webhook URLs are checked when saved (here) and again at connect time (the HTTP sender), so that DNS
// rebinding cannot slip a private address past the first check.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TRPCError } from '@trpc/server';
import { ZodRealError } from 'zod';
import { type AddressPolicy, checkWebhookUrl, isForbiddenAddress } from '../domain/url-policy.js';

/**
 * A BAD_REQUEST shaped like input validation's, so callers see one error format. ZodRealError (what
 * parsing throws) rather than `new ZodError`, which in zod 4 is not an `Error`: tRPC would wrap it and
 * the error formatter would lose the issues.
 */
export function fieldError(path: string, message: string): TRPCError {
  return new TRPCError({
    code: 'BAD_REQUEST',
    message: `${path}: ${message}`,
    cause: new ZodRealError([{ code: 'custom', path: [path], message, input: undefined }]),
  });
}

export async function assertDeliverableUrl(url: string, policy: AddressPolicy, field = 'url'): Promise<void> {
  const check = checkWebhookUrl(url, policy);
  if (!check.ok) throw fieldError(field, check.reason);
  const host = check.url.hostname.replace(/^\[|\]$/g, '');
  if (policy.allowPrivate || isIP(host)) return;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    throw fieldError(field, `host ${host} does not resolve`);
  }
  const bad = addresses.find((a) => isForbiddenAddress(a.address, policy));
  if (bad) throw fieldError(field, `host ${host} resolves to ${bad.address}, a private or reserved address`);
}
