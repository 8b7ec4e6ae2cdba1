import type { Context } from '../context.ts';
import { callerOf } from '../context.ts';
import type { AccountRow } from '../db/schema/accounts.ts';
import { badInput, notFound } from '../errors.ts';
import { findAccount, updateAccountRow } from '../store/accounts.ts';
import { recordAudit } from './audit.ts';

export const MAX_SERVICE_TOKEN_LIMIT = 100_000;

export async function updateAccount(context: Context, input: { serviceTokenLimit?: number | null }): Promise<AccountRow> {
  const caller = callerOf(context);
  const limit = input.serviceTokenLimit;
  if (limit !== null && limit !== undefined && (limit < 0 || limit > MAX_SERVICE_TOKEN_LIMIT)) {
    throw badInput('serviceTokenLimit', `must be between 0 and ${MAX_SERVICE_TOKEN_LIMIT}`);
  }
  const updated = await context.app.transaction(async (tx) => {
    const before = await findAccount(tx, caller.accountId);
    if (!before) throw notFound('Account');
    if (limit === null || limit === undefined || limit === before.serviceTokenLimit) return before;
    const after = await updateAccountRow(tx, before.id, { serviceTokenLimit: limit });
    if (!after) throw notFound('Account');
    await recordAudit(tx, context, {
      action: 'updateServiceTokenLimit',
      resource: 'acct',
      title: `${caller.member.name} set the service token limit to ${limit}`,
      changes: { serviceTokenLimit: { before: before.serviceTokenLimit, after: limit } },
    });
    return after;
  });
  context.app.caches.invalidate({ kind: 'account', accountId: updated.id });
  return updated;
}
