import type { MemberRow } from '../db/schema/members.ts';
import { builder } from '../builder.ts';
import { callerOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { findMemberById } from '../store/members.ts';
import { listMembers } from '../store/member-list.ts';
import { BaseRoleEnum, RoleAttribute, keysetConnection, rawId, roleAttributeList } from './common.ts';

export const MemberStatusEnum = builder.enumType('MemberStatus', {
  values: { INVITED: { value: 'invited' }, ACTIVE: { value: 'active' }, REMOVED: { value: 'removed' } } as const,
});

/** A person in the caller's account. Fields owned by other concepts (tokens, customRoles, teams) are added in their files. */
export const Member = builder.objectRef<MemberRow>('Member');

builder.node(Member, {
  id: { resolve: (member) => member.id },
  // Reached only through guarded fields (or a login payload). Only members of the caller's account can be loaded: other accounts' ids are simply not found.
  loadOne: (id, ctx) => (ctx.caller ? (findMemberById(ctx.app.db, ctx.caller.accountId, id) ?? null) : null),
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    role: t.field({ type: BaseRoleEnum, resolve: (m) => m.role }),
    status: t.field({ type: MemberStatusEnum, resolve: (m) => m.status }),
    roleAttributes: t.field({ type: [RoleAttribute], resolve: (m) => roleAttributeList(m.roleAttributes) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  member: t.field({
    type: Member,
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    description: 'A member of your account; NOT_FOUND for any other id.',
    resolve: (_root, args, ctx) => {
      const member = findMemberById(ctx.app.db, callerOf(ctx).accountId, rawId(args.id, 'Member'));
      if (!member) throw notFound('Member');
      return member;
    },
  }),
  members: t.connection({
    type: Member,
    authScopes: { authenticated: true },
    resolve: (_root, args, ctx) => keysetConnection('members', args, (page) => listMembers(ctx.app.db, callerOf(ctx).accountId, page)),
  }, { name: 'MemberConnection' }, { name: 'MemberEdge' }),
}));

