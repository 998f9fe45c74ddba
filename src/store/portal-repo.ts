// Consumer portal links and sessions (docs/portal.md). A link's token is shown once, in the link's URL
// fragment, and stored only as its hash; it is good for one exchange, made single-use by the unique
// `_id` of its claim (FerretDB has no transactions: a unique insert is the atomic step that works on
// every server). The exchange answers a new session token, also stored by hash, which the page sends as
// `Authorization: Bearer` and which authenticates as the link's account and nothing more.
import { createHash, randomBytes } from 'node:crypto';
import type { AccountVersions } from './account-versions.js';
import type { Authenticated } from './accounts-repo.js';
import { type Collections, isDuplicateKey } from './mongo.js';
import { addTimeEntry, deleteCreatedBefore } from './time-entries.js';

export const PORTAL_LINK_PREFIX = 'hpl_';
export const PORTAL_SESSION_PREFIX = 'hps_';

/** How long a session lasts after its link is exchanged: a new link makes a new one. */
export const PORTAL_SESSION_TTL_MS = 60 * 60 * 1000;

/**
 * Links, claims and sessions are deleted this long after they were made: past every link's expiry (at
 * most a day, routers/portal.ts) and every session's, so a claim never goes while its link could still be used.
 */
export const PORTAL_RETENTION_MS = 2 * 24 * 60 * 60 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

export function isPortalSessionToken(token: string): boolean {
  return token.startsWith(PORTAL_SESSION_PREFIX);
}

export type PortalExchange =
  | { ok: true; sessionToken: string; accountId: string; expiresAt: Date }
  | { ok: false; reason: 'portal_link_invalid' | 'portal_link_expired' | 'portal_link_used' };

export function createPortalRepo(c: Collections, versions: AccountVersions) {
  return {
    /** A new link's token for the account, valid until `expiresAt`. */
    async createLink(accountId: string, expiresAt: Date, now = new Date()): Promise<string> {
      const token = newToken(PORTAL_LINK_PREFIX);
      const id = hashToken(token);
      // Its retention entry first (time-entries.ts).
      await addTimeEntry(c.portalLinks, id, now);
      await c.portalLinks.insertOne({ _id: id, account_id: accountId, expires_at: expiresAt, created_at: now });
      return token;
    },

    /** The link's one exchange for a session; a second, an expired or an unknown link is refused (as data). */
    async exchange(linkToken: string, now = new Date()): Promise<PortalExchange> {
      const linkId = hashToken(linkToken);
      const link = await c.portalLinks.findOne({ _id: linkId });
      if (!link) return { ok: false, reason: 'portal_link_invalid' };
      if (link.expires_at.getTime() <= now.getTime()) return { ok: false, reason: 'portal_link_expired' };
      await addTimeEntry(c.portalLinkClaims, linkId, now);
      try {
        await c.portalLinkClaims.insertOne({ _id: linkId, account_id: link.account_id, created_at: now });
      } catch (error) {
        if (isDuplicateKey(error)) return { ok: false, reason: 'portal_link_used' };
        throw error;
      }
      // A crash here leaves the link used and no session: the platform makes a new link.
      const sessionToken = newToken(PORTAL_SESSION_PREFIX);
      const expiresAt = new Date(now.getTime() + PORTAL_SESSION_TTL_MS);
      const sessionId = hashToken(sessionToken);
      await addTimeEntry(c.portalSessions, sessionId, now);
      await c.portalSessions.insertOne({
        _id: sessionId,
        account_id: link.account_id,
        expires_at: expiresAt,
        created_at: now,
      });
      return { ok: true, sessionToken, accountId: link.account_id, expiresAt };
    },

    /** The session's account and its version (as a key's authentication answers), or null when unknown or expired. */
    async authenticate(sessionToken: string, now = new Date()): Promise<(Authenticated & { keyHash: string }) | null> {
      const keyHash = hashToken(sessionToken);
      const session = await c.portalSessions.findOne({ _id: keyHash });
      if (!session || session.expires_at.getTime() <= now.getTime()) return null;
      const read = await versions.readWithCatalogue(session.account_id);
      return { accountId: session.account_id, ...read, keyHash };
    },

    /** Retention: links, claims and sessions made before `before`, through at most `limit` entries of each. */
    async deleteOlderThan(before: Date, limit: number): Promise<number> {
      return (
        (await deleteCreatedBefore(c.portalSessions, before, limit)) +
        // Links before their claims: a claim never goes while its link is there to be exchanged.
        (await deleteCreatedBefore(c.portalLinks, before, limit)) +
        (await deleteCreatedBefore(c.portalLinkClaims, before, limit))
      );
    },
  };
}

export type PortalRepo = ReturnType<typeof createPortalRepo>;
