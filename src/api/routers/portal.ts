// The consumer portal's entry (docs/portal.md): a platform makes a short-lived, single-use link for one
// of its accounts; the page at /portal exchanges the link's token (from the URL fragment, which browsers
// never send to servers) for a session that acts as that account on the portal's procedures only.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { PORTAL_LINK_PREFIX } from '../../store/portal-repo.js';
import type { Context } from '../context.js';
import { routesTagged } from '../route-meta.js';
import { notFound, publicProcedure, reasonError, router } from '../trpc.js';
import { fieldError } from '../url-check.js';

const route = routesTagged('portal');

const CreatePortalLinkInput = z.strictObject({
  account_id: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('The account the link opens: required with the admin key; with an account key, its own account (the default).'),
  expires_in_seconds: z.number().int().min(60).max(86_400).default(3_600).describe('How long the link may be opened; default 1 h.'),
});

const PortalLinkView = z.object({
  url: z.string().describe('The portal, with the single-use token in the fragment (#token=…). Shown once; only its hash is stored.'),
  expires_at: z.iso.datetime(),
});

const ExchangeInput = z.strictObject({
  token: z.string().startsWith(PORTAL_LINK_PREFIX, 'is not a portal link token').max(128),
});

const PortalSessionView = z.object({
  session_token: z.string().describe('Send as Authorization: Bearer; acts as the account on the portal’s procedures only.'),
  account_id: z.string(),
  expires_at: z.iso.datetime(),
});

/** The account a link may be made for: an account key's own, or any existing one named by the admin key. */
async function linkAccount(ctx: Context, accountId: string | undefined): Promise<string> {
  const { caller } = ctx;
  if (caller.kind === 'account' && !caller.portal) {
    if (accountId !== undefined && accountId !== caller.accountId) throw notFound('account');
    return caller.accountId;
  }
  if (caller.kind === 'admin') {
    if (accountId === undefined) throw fieldError('account_id', 'is required with the admin key');
    if (!(await ctx.deps.store.accounts.get(accountId))) throw notFound('account');
    return accountId;
  }
  throw new TRPCError({ code: 'UNAUTHORIZED', message: 'An account API key or the admin key is required (Authorization: Bearer <key>).' });
}

function portalBaseUrl(ctx: Context): string {
  const { publicUrl, host, port } = ctx.deps.config.api;
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return `http://${ctx.request.host ?? `${host}:${port}`}`;
}

export const portalRouter = router({
  create_link: publicProcedure
    .meta(
      route('POST', '/v1/portal/links', 'Create a consumer portal link', {
        description: 'An account key (its own account) or the admin key with `account_id`. Single-use; default lifetime 1 h.',
      }),
    )
    .input(CreatePortalLinkInput)
    .output(PortalLinkView)
    .mutation(async ({ ctx, input }) => {
      const accountId = await linkAccount(ctx, input.account_id);
      const expiresAt = new Date(Date.now() + input.expires_in_seconds * 1000);
      const token = await ctx.deps.store.portal.createLink(accountId, expiresAt);
      return { url: `${portalBaseUrl(ctx)}/portal#token=${token}`, expires_at: expiresAt.toISOString() };
    }),

  /** The page's one call without a session: the link's token for a session token, once. */
  exchange: publicProcedure
    .meta(
      route('POST', '/v1/portal/sessions', 'Exchange a portal link for a session', {
        description:
          'No key: the link’s token is the credential. A second exchange of the same link, or an expired link, is refused (401).',
        protect: false,
      }),
    )
    .input(ExchangeInput)
    .output(PortalSessionView)
    .mutation(async ({ ctx, input }) => {
      const outcome = await ctx.deps.store.portal.exchange(input.token);
      if (!outcome.ok) {
        const messages = {
          portal_link_invalid: 'This portal link is not valid.',
          portal_link_expired: 'This portal link has expired; ask for a new one.',
          portal_link_used: 'This portal link was used already; ask for a new one.',
        };
        throw reasonError('UNAUTHORIZED', outcome.reason, messages[outcome.reason]);
      }
      return { session_token: outcome.sessionToken, account_id: outcome.accountId, expires_at: outcome.expiresAt.toISOString() };
    }),
});
