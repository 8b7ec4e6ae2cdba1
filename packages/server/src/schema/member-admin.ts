import type { AccessRequest } from '@latchkey/policy';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { MemberRow } from '../db/schema/members.ts';
import { builder } from '../builder.ts';
import { acceptInvite, inviteMember, memberResource, removeMember, updateMember } from '../services/members.ts';
import { BaseRoleEnum, RoleAttributeInput, rawId } from './common.ts';
import { Member } from './member.ts';
import { LoginPayload } from './session.ts';

/** Member administration: invite, accept, update (base role, custom roles, role attributes), remove. */

/** The raw member id of a global id, or null (the resolver then answers NOT_FOUND). */
function memberIdOf(globalId: string): string | null {
  try {
    return rawId(globalId, 'Member');
  } catch {
    return null;
  }
}

const InviteMemberInput = builder.inputType('InviteMemberInput', {
  description: 'An invitation: who, and with which role, custom roles and role attributes (never more than you could give).',
  fields: (t) => ({
    email: t.string({ description: 'The person\'s email; CONFLICT if a member already has it.', required: true }),
    name: t.string({ description: 'Shown until the member accepts and chooses their own.' }),
    role: t.field({ description: 'Their base role (OWNER only by owners).', type: BaseRoleEnum, required: true }),
    customRoleKeys: t.stringList({ description: 'Custom roles to give them, by key (you must hold each, or be admin or owner).' }),
    roleAttributes: t.field({ description: 'Values for ${roleAttribute/<key>} in their custom roles.', type: [RoleAttributeInput] }),
  }),
});

const AcceptInviteInput = builder.inputType('AcceptInviteInput', {
  description: 'Accepting an invitation with its code.',
  fields: (t) => ({
    inviteCode: t.string({ description: 'The invite code (lki_…) from inviteMember; it works once.', required: true }),
    name: t.string({ description: 'Your display name.', required: true }),
    password: t.string({ description: 'Your password, 8 to 1024 characters.', required: true }),
  }),
});

const UpdateMemberInput = builder.inputType('UpdateMemberInput', {
  description: 'Only the fields given change; lists replace.',
  fields: (t) => ({
    id: t.id({ description: 'The member\'s global id.', required: true }),
    role: t.field({ description: 'The new base role (action updateRole; OWNER only by owners).', type: BaseRoleEnum }),
    customRoleKeys: t.stringList({ description: 'The custom roles they hold from now on, by key (action updateCustomRole).' }),
    roleAttributes: t.field({ description: 'Their role attributes from now on (action updateMemberRoleAttributes).', type: [RoleAttributeInput] }),
  }),
});

const RemoveMemberInput = builder.inputType('RemoveMemberInput', {
  description: 'Which member to remove.',
  fields: (t) => ({ id: t.id({ description: 'The member\'s global id.', required: true }) }),
});

const InviteMemberPayload = builder.objectRef<{ member: MemberRow; inviteCode: string }>('InviteMemberPayload').implement({
  description: 'The invited member and the invite code, shown this once (give it to the person; no mail is sent).',
  fields: (t) => ({
    member: t.field({ description: 'The invited member (status INVITED).', type: Member, resolve: (p) => p.member }),
    inviteCode: t.exposeString('inviteCode', { description: 'The invite code (lki_…), shown only here; stored as a digest.' }),
  }),
});

const MemberPayload = builder.objectRef<{ member: MemberRow }>('MemberPayload').implement({
  description: 'The result of updateMember.',
  fields: (t) => ({ member: t.field({ description: 'The member with the change applied.', type: Member, resolve: (p) => p.member }) }),
});

const RemoveMemberPayload = builder.objectRef<{ removedMemberId: string }>('RemoveMemberPayload').implement({
  description: 'The result of removeMember.',
  fields: (t) => ({ removedMemberId: t.exposeID('removedMemberId', { description: 'The removed member\'s global id.' }) }),
});

builder.mutationFields((t) => ({
  inviteMember: t.field({
    type: InviteMemberPayload,
    description: 'Invites a member (action createMember). They cannot act until they accept with the code.',
    args: { input: t.arg({ type: InviteMemberInput, required: true }) },
    authScopes: { can: { action: 'createMember', resource: 'member/*' } },
    resolve: async (_root, { input }, ctx) => await inviteMember(ctx, input),
  }),
  acceptInvite: t.field({
    type: LoginPayload,
    description: 'Accepts an invitation: the member sets their name and password and gets a session.',
    args: { input: t.arg({ type: AcceptInviteInput, required: true }) },
    authScopes: { public: true },
    resolve: async (_root, { input }, ctx) => await acceptInvite(ctx, input),
  }),
  updateMember: t.field({
    type: MemberPayload,
    description: "Changes a member's base role (action updateRole; OWNER only by owners), custom roles (action updateCustomRole) or role attributes (action updateMemberRoleAttributes).",
    args: { input: t.arg({ type: UpdateMemberInput, required: true }) },
    authScopes: (_root, { input }) => {
      const id = memberIdOf(input.id);
      if (id === null) return { authenticated: true };
      const resource = memberResource(id);
      const can: AccessRequest[] = [];
      if (input.role !== null && input.role !== undefined) can.push({ action: 'updateRole', resource });
      if (input.customRoleKeys !== null && input.customRoleKeys !== undefined) can.push({ action: 'updateCustomRole', resource });
      if (input.roleAttributes !== null && input.roleAttributes !== undefined) can.push({ action: 'updateMemberRoleAttributes', resource });
      return can.length > 0 ? { can } : { authenticated: true };
    },
    resolve: async (_root, { input }, ctx) => ({ member: await updateMember(ctx, rawId(input.id, 'Member'), input) }),
  }),
  removeMember: t.field({
    type: RemoveMemberPayload,
    description: 'Removes a member (action deleteMember): their sessions end and their personal tokens stop working at once.',
    args: { input: t.arg({ type: RemoveMemberInput, required: true }) },
    authScopes: (_root, { input }) => {
      const id = memberIdOf(input.id);
      return id === null ? { authenticated: true } : { can: { action: 'deleteMember', resource: memberResource(id) } };
    },
    resolve: async (_root, { input }, ctx) => {
      const removed = await removeMember(ctx, rawId(input.id, 'Member'));
      return { removedMemberId: encodeGlobalID('Member', removed.id) };
    },
  }),
}));
