// Which account a publish is for, and that account's version (the webhook matcher checks its copy of
// the account's subscriptions against it). An account key publishes for its own account: the version is
// the one its authentication read. A producer key names the account in the input (`account_id` or
// `account_external_id`, exactly one), for any account; an unknown one is a 404.
import type { AccountVersion } from '../store/account-versions.js';
import type { CatalogueVersion } from '../store/catalogue-version.js';
import type { Caller, Context } from './context.js';
import { notFound } from './trpc.js';
import { fieldError } from './url-check.js';

export interface PublishTarget {
  accountId: string;
  version: AccountVersion;
  /** The event catalogue's version, read with the account's. */
  catalogue: CatalogueVersion;
}

export interface TargetInput {
  account_id?: string;
  account_external_id?: string;
}

type Publisher = Extract<Caller, { kind: 'account' | 'producer' }>;

export async function publishTarget(ctx: Context, caller: Publisher, input: TargetInput): Promise<PublishTarget> {
  const { accounts } = ctx.deps.store;
  if (caller.kind === 'account') {
    // Only producer keys publish across accounts. Naming another account is bad input (a 400 whether or
    // not that account exists, so the answer tells an account key nothing about other accounts).
    const own = 'must be omitted or name this key’s own account: only producer keys publish for other accounts';
    if (input.account_id !== undefined && input.account_id !== caller.accountId) throw fieldError('account_id', own);
    if (input.account_external_id !== undefined && (await accounts.idByExternalId(input.account_external_id)) !== caller.accountId) {
      throw fieldError('account_external_id', own);
    }
    return { accountId: caller.accountId, version: caller.version, catalogue: caller.catalogue };
  }
  if (input.account_id !== undefined && input.account_external_id !== undefined) {
    throw fieldError('account_external_id', 'give account_id or account_external_id, not both');
  }
  let accountId = input.account_id;
  if (accountId === undefined) {
    if (input.account_external_id === undefined) {
      throw fieldError('account_id', 'is required with a producer key (or account_external_id)');
    }
    accountId = (await accounts.idByExternalId(input.account_external_id)) ?? undefined;
    if (accountId === undefined) throw notFound('account');
  }
  const target = await accounts.readForPublish(accountId);
  if (!target) throw notFound('account');
  return target;
}
