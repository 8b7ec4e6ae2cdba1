import type { CustomRoleRow } from '../db/schema/roles.ts';
import { builder } from '../builder.ts';
import { callerOf } from '../context.ts';
import { notFound } from '../errors.ts';
import { createRole, deleteRole, roleResource, updateRole } from '../services/roles.ts';
import { customRolesOfMember } from '../store/members.ts';
import { findRoleById, findRoleByKey, listRoles } from '../store/roles.ts';
import { BaseRoleEnum, keysetConnection } from './common.ts';
import { Member } from './member.ts';
import { Statement, StatementInput, toPolicyStatements } from './token.ts';
import { isKey } from '../services/access.ts';

/** Custom roles: every member of the account can read them; changes are guarded by role actions. */

export const CustomRole = builder.objectRef<CustomRoleRow>('CustomRole');
builder.node(CustomRole, {
  id: { resolve: (role) => role.id },
  loadOne: async (id, ctx) => (ctx.caller ? (await findRoleById(ctx.app.db, ctx.caller.accountId, id) ?? null) : null),
  description: 'A named policy that members, teams and tokens can hold.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Its key, unique in the account (the role/<key> of resource specifiers); members and tokens hold it by key.' }),
    name: t.exposeString('name', { description: 'Its display name.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the role is for.' }),
    basePermissions: t.field({
      type: BaseRoleEnum,
      nullable: true,
      description: 'READER adds the reader policy into this role (its denies cut it too); NO_ACCESS or null: only the policy.',
      resolve: (role) => role.basePermissions,
    }),
    policy: t.field({ description: 'Its statements (deny wins; otherwise an allow decides).', type: [Statement], resolve: (role) => role.policy }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last changed.' }),
  }),
});

builder.objectField(Member, 'customRoles', (t) =>
  t.field({
    type: [CustomRole],
    description: 'Custom roles held directly (team roles are on `teams`).',
    resolve: async (member, _args, ctx) => await customRolesOfMember(ctx.app.db, member.id),
  }),
);

const CreateRoleInput = builder.inputType('CreateRoleInput', {
  description: 'A new custom role (action createRole on role/<key>); its policy must be contained in your permissions.',
  fields: (t) => ({
    key: t.string({ description: 'Its key: 1-64 letters, digits, ".", "_" or "-".', required: true }),
    name: t.string({ description: 'Its display name.', required: true }),
    description: t.string({ description: 'What the role is for.' }),
    basePermissions: t.field({ type: BaseRoleEnum, description: 'READER or NO_ACCESS.' }),
    policy: t.field({ description: 'Its statements (at least one).', type: [StatementInput], required: true }),
  }),
});

const UpdateRoleInput = builder.inputType('UpdateRoleInput', {
  description: 'Only the fields given change; the policy is replaced as a whole.',
  fields: (t) => ({
    key: t.string({ description: 'The role\'s key.', required: true }),
    name: t.string({ description: 'A new name (action updateName).' }),
    description: t.string({ description: 'A new description (action updateDescription).' }),
    basePermissions: t.field({ description: 'READER or NO_ACCESS (action updateBasePermissions).', type: BaseRoleEnum }),
    policy: t.field({ description: 'A new policy, replacing the old (action updatePolicy); contained in your permissions.', type: [StatementInput] }),
  }),
});

const DeleteRoleInput = builder.inputType('DeleteRoleInput', {
  description: 'Which role to delete (action deleteRole); members, teams and tokens lose it.',
  fields: (t) => ({ key: t.string({ description: 'The role\'s key.', required: true }) }),
});

const RolePayload = builder.objectRef<{ role: CustomRoleRow }>('RolePayload').implement({
  description: 'The result of createRole or updateRole.',
  fields: (t) => ({ role: t.field({ description: 'The role with the change applied.', type: CustomRole, resolve: (p) => p.role }) }),
});

const DeleteRolePayload = builder.objectRef<{ deletedRoleKey: string }>('DeleteRolePayload').implement({
  description: 'The result of deleteRole.',
  fields: (t) => ({ deletedRoleKey: t.exposeString('deletedRoleKey', { description: 'The deleted role\'s key.' }) }),
});

builder.queryFields((t) => ({
  role: t.field({
    type: CustomRole,
    nullable: true,
    description: 'A custom role of your account by key; NOT_FOUND for any other key.',
    authScopes: { authenticated: true },
    args: { key: t.arg.string({ description: 'The role\'s key.', required: true }) },
    resolve: async (_root, args, ctx) => {
      const role = await findRoleByKey(ctx.app.db, callerOf(ctx).accountId, args.key);
      if (!role) throw notFound('Custom role');
      return role;
    },
  }),
  roles: t.connection({
    type: CustomRole,
    description: "Your account's custom roles, oldest first.",
    authScopes: { authenticated: true },
    resolve: (_root, args, ctx) => keysetConnection('roles', args, async (page) => await listRoles(ctx.app.db, callerOf(ctx).accountId, page)),
  }, { name: 'CustomRoleConnection' }, { name: 'CustomRoleEdge' }),
}));

builder.mutationFields((t) => ({
  createRole: t.field({
    type: RolePayload,
    description: 'Creates a custom role (action createRole on role/<key>).',
    args: { input: t.arg({ type: CreateRoleInput, required: true }) },
    // A malformed key is reported as bad input by the service, not as a refusal.
    authScopes: (_root, { input }) =>
      isKey(input.key) ? { can: { action: 'createRole', resource: roleResource(input.key) } } : { authenticated: true },
    resolve: async (_root, { input }, ctx) => ({ role: await createRole(ctx, { ...input, policy: toPolicyStatements(input.policy, 'policy') }) }),
  }),
  updateRole: t.field({
    type: RolePayload,
    description: 'Changes a custom role: actions updateName, updateDescription, updateBasePermissions, updatePolicy on role/<key>; a new policy must be within your permissions.',
    args: { input: t.arg({ type: UpdateRoleInput, required: true }) },
    authScopes: (_root, { input }) => {
      if (!isKey(input.key)) return { authenticated: true };
      const resource = roleResource(input.key);
      const can = [
        input.name !== null && input.name !== undefined ? { action: 'updateName', resource } : null,
        input.description !== undefined ? { action: 'updateDescription', resource } : null,
        input.basePermissions !== undefined ? { action: 'updateBasePermissions', resource } : null,
        input.policy !== null && input.policy !== undefined ? { action: 'updatePolicy', resource } : null,
      ].filter((r) => r !== null);
      return can.length > 0 ? { can } : { authenticated: true };
    },
    resolve: async (_root, { input }, ctx) => {
      const policy = input.policy === null || input.policy === undefined ? undefined : toPolicyStatements(input.policy, 'policy');
      return { role: await updateRole(ctx, { ...input, policy }) };
    },
  }),
  deleteRole: t.field({
    type: DeleteRolePayload,
    description: 'Deletes a custom role (action deleteRole); CONFLICT while members, teams or tokens use it.',
    args: { input: t.arg({ type: DeleteRoleInput, required: true }) },
    authScopes: (_root, { input }) =>
      isKey(input.key) ? { can: { action: 'deleteRole', resource: roleResource(input.key) } } : { authenticated: true },
    resolve: async (_root, { input }, ctx) => ({ deletedRoleKey: (await deleteRole(ctx, input.key)).key }),
  }),
}));
