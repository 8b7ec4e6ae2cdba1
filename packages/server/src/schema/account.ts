import type { AccountRow } from '../db/schema/accounts.ts';
import { builder } from '../builder.ts';
import { callerOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { updateAccount } from '../services/account-settings.ts';
import { findAccount } from '../store/accounts.ts';

export const Account = builder.objectRef<AccountRow>('Account');
builder.node(Account, {
  id: { resolve: (a) => a.id },
  loadOne: (id, ctx) => (ctx.caller?.accountId === id ? (findAccount(ctx.app.db, id) ?? null) : null),
  fields: (t) => ({
    name: t.exposeString('name'),
    serviceTokenLimit: t.exposeInt('serviceTokenLimit', { description: 'How many service tokens the account may hold.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const UpdateAccountInput = builder.inputType('UpdateAccountInput', {
  fields: (t) => ({ serviceTokenLimit: t.int() }),
});

const AccountPayload = builder.objectRef<{ account: AccountRow }>('AccountPayload').implement({
  fields: (t) => ({ account: t.field({ type: Account, resolve: (p) => p.account }) }),
});

builder.queryField('account', (t) =>
  t.field({
    type: Account,
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => {
      const account = findAccount(ctx.app.db, callerOf(ctx).accountId);
      if (!account) throw notFound('Account');
      return account;
    },
  }),
);

builder.mutationField('updateAccount', (t) =>
  t.field({
    type: AccountPayload,
    args: { input: t.arg({ type: UpdateAccountInput, required: true }) },
    authScopes: (_root, args) =>
      args.input.serviceTokenLimit === null || args.input.serviceTokenLimit === undefined
        ? { authenticated: true }
        : { can: { action: 'updateServiceTokenLimit', resource: 'acct' } },
    resolve: (_root, { input }, ctx) => ({ account: updateAccount(ctx, input) }),
  }),
);
