import type { MemberRow } from '../db/schema/members.ts';
import { builder } from '../builder.ts';
import { callerOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { findMemberById } from '../store/members.ts';
import { listMembers } from '../store/member-list.ts';
import { BaseRoleEnum, RoleAttribute, keysetConnection, rawId, roleAttributeList } from './common.ts';

export const MemberStatusEnum = builder.enumType('MemberStatus', {
  description: "Where a member is in their life in the account.",
  values: {
    INVITED: { value: 'invited', description: 'Invited; has not accepted yet (cannot log in).' },
    ACTIVE: { value: 'active', description: 'A member who can log in.' },
    REMOVED: { value: 'removed', description: 'Removed: cannot log in; their personal tokens are inactive.' },
  } as const,
});

/** A person in the caller's account. Fields owned by other concepts (tokens, customRoles, teams) are added in their files. */
export const Member = builder.objectRef<MemberRow>('Member');

builder.node(Member, {
  description: 'A person in your account. Any valid credential of the account may see its members; what each may do comes from their role, custom roles and teams.',
  id: { resolve: (member) => member.id },
  // Reached only through guarded fields (or a login payload). Only members of the caller's account can be loaded: other accounts' ids are simply not found.
  loadOne: async (id, ctx) => (ctx.caller ? (await findMemberById(ctx.app.db, ctx.caller.accountId, id) ?? null) : null),
  fields: (t) => ({
    email: t.exposeString('email', { description: 'Their email (unique on this server; they log in with it).' }),
    name: t.exposeString('name', { description: 'Their display name.' }),
    role: t.field({ type: BaseRoleEnum, description: 'Their base role (updateMember: action updateRole on member/<id>; OWNER only by owners).', resolve: (m) => m.role }),
    status: t.field({ type: MemberStatusEnum, description: 'Invited, active or removed.', resolve: (m) => m.status }),
    roleAttributes: t.field({ type: [RoleAttribute], description: 'Values substituted for ${roleAttribute/<key>} in their custom roles.', resolve: (m) => roleAttributeList(m.roleAttributes) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When they were invited or created.' }),
  }),
});

builder.queryFields((t) => ({
  member: t.field({
    type: Member,
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: "The member's global id." }) },
    description: 'A member of your account; NOT_FOUND for any other id. Any valid credential of the account may ask.',
    resolve: async (_root, args, ctx) => {
      const member = await findMemberById(ctx.app.db, callerOf(ctx).accountId, rawId(args.id, 'Member'));
      if (!member) throw notFound('Member');
      return member;
    },
  }),
  members: t.connection({
    type: Member,
    description: "Your account's members (invited, active and removed), oldest first. Any valid credential of the account may list them.",
    authScopes: { authenticated: true },
    resolve: (_root, args, ctx) => keysetConnection('members', args, async (page) => await listMembers(ctx.app.db, callerOf(ctx).accountId, page)),
  }, { name: 'MemberConnection' }, { name: 'MemberEdge' }),
}));

