import type { AccountRow } from '../db/schema/accounts.ts';
import { builder } from '../builder.ts';
import { callerOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { updateAccount } from '../services/account-settings.ts';
import { cachedAccount } from '../services/cached-reads.ts';

export const Account = builder.objectRef<AccountRow>('Account');
builder.node(Account, {
  description: 'Your account: the organisation every member, token, role, team and project belongs to. Any member of it may read it.',
  id: { resolve: (a) => a.id },
  loadOne: async (id, ctx) => (ctx.caller?.accountId === id ? ((await cachedAccount(ctx.app, id)) ?? null) : null),
  fields: (t) => ({
    name: t.exposeString('name', { description: "The account's name." }),
    serviceTokenLimit: t.exposeInt('serviceTokenLimit', { description: 'How many service tokens the account may hold (default 200); owners change it (updateServiceTokenLimit).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the account was created.' }),
  }),
});

const UpdateAccountInput = builder.inputType('UpdateAccountInput', {
  description: 'Account settings to change; only the fields given change.',
  fields: (t) => ({ serviceTokenLimit: t.int({ description: 'The new service-token limit (action updateServiceTokenLimit on acct, owners only).' }) }),
});

const AccountPayload = builder.objectRef<{ account: AccountRow }>('AccountPayload').implement({
  description: 'The result of updateAccount.',
  fields: (t) => ({ account: t.field({ type: Account, description: 'The account with the change applied.', resolve: (p) => p.account }) }),
});

builder.queryField('account', (t) =>
  t.field({
    type: Account,
    description: 'Your account. Any valid credential of the account may read it.',
    authScopes: { authenticated: true },
    resolve: async (_root, _args, ctx) => {
      const account = await cachedAccount(ctx.app, callerOf(ctx).accountId);
      if (!account) throw notFound('Account');
      return account;
    },
  }),
);

builder.mutationField('updateAccount', (t) =>
  t.field({
    type: AccountPayload,
    description: 'Changes account settings: serviceTokenLimit needs updateServiceTokenLimit on acct (owners). Audited.',
    args: { input: t.arg({ type: UpdateAccountInput, required: true }) },
    authScopes: (_root, args) =>
      args.input.serviceTokenLimit === null || args.input.serviceTokenLimit === undefined
        ? { authenticated: true }
        : { can: { action: 'updateServiceTokenLimit', resource: 'acct' } },
    resolve: async (_root, { input }, ctx) => ({ account: await updateAccount(ctx, input) }),
  }),
);
