import type { AccessRequest } from '@latchkey/policy';
import type { TeamRow } from '../db/schema/teams.ts';
import { builder } from '../builder.ts';
import { callerOf } from '../context.ts';
import { badInput, notFound } from '../errors.ts';
import { isKey, visiblePage } from '../services/access.ts';
import { createTeam, deleteTeam, teamResource, updateTeam } from '../services/teams.ts';
import { teamsOfMember } from '../store/members.ts';
import { customRolesOfTeam, findTeamById, findTeamByKey, listTeams, membersOfTeam } from '../store/teams.ts';
import { RoleAttribute, RoleAttributeInput, keysetConnection, rawId, roleAttributeList } from './common.ts';
import { Member } from './member.ts';
import { CustomRole } from './role.ts';

/** Teams: seen with viewTeam, changed with the team actions on team/<key>. */

const mayView = (ctx: { caller: { decide: (r: AccessRequest) => { allowed: boolean } } | null }, team: TeamRow) =>
  ctx.caller?.decide({ action: 'viewTeam', resource: teamResource(team.key) }).allowed ?? false;

export const Team = builder.objectRef<TeamRow>('Team');
builder.node(Team, {
  id: { resolve: (team) => team.id },
  loadOne: async (id, ctx) => {
    const team = ctx.caller ? await findTeamById(ctx.app.db, ctx.caller.accountId, id) : undefined;
    return team && mayView(ctx, team) ? team : null;
  },
  description: 'Members who share custom roles (with the role attributes given here).',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Its key, unique in the account (the team/<key> of resource specifiers).' }),
    name: t.exposeString('name', { description: 'Its display name.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the team is for.' }),
    members: t.field({ description: 'Its members (each gets the custom roles of the team).', type: [Member], resolve: async (team, _args, ctx) => await membersOfTeam(ctx.app.db, team.id) }),
    customRoles: t.field({ description: 'The custom roles every member holds through the team.', type: [CustomRole], resolve: async (team, _args, ctx) => await customRolesOfTeam(ctx.app.db, team.id) }),
    roleAttributes: t.field({
      type: [RoleAttribute],
      description: "Values for ${roleAttribute/…} in this team's roles, for every member of the team.",
      resolve: (team) => roleAttributeList(team.roleAttributes),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last changed.' }),
  }),
});

builder.objectField(Member, 'teams', (t) =>
  t.field({
    type: [Team],
    description: 'The teams this member is in (those you may view).',
    resolve: async (member, _args, ctx) => (await teamsOfMember(ctx.app.db, member.id)).filter((team) => mayView(ctx, team)),
  }),
);

const CreateTeamInput = builder.inputType('CreateTeamInput', {
  description: 'A new team (action createTeam on team/<key>); the roles it gives must be within your permissions.',
  fields: (t) => ({
    key: t.string({ description: 'Its key: 1-64 letters, digits, ".", "_" or "-".', required: true }),
    name: t.string({ description: 'Its display name.', required: true }),
    description: t.string({ description: 'What the team is for.' }),
    memberIds: t.idList({ description: 'Global ids of its members.' }),
    customRoleKeys: t.stringList({ description: 'Keys of the custom roles its members hold through it.' }),
    roleAttributes: t.field({ type: [RoleAttributeInput], description: "Values given to members through this team's roles." }),
  }),
});

const UpdateTeamInput = builder.inputType('UpdateTeamInput', {
  description: 'Only the fields given change; lists replace.',
  fields: (t) => ({
    key: t.string({ description: 'The team\'s key.', required: true }),
    name: t.string({ description: 'A new name (action updateTeamName).' }),
    description: t.string({ description: 'A new description (action updateTeamDescription).' }),
    memberIds: t.idList({ description: 'Its members from now on, by global id (action updateTeamMembers).' }),
    customRoleKeys: t.stringList({ description: 'Its custom roles from now on, by key (action updateTeamCustomRoles).' }),
    roleAttributes: t.field({ description: 'Its role attributes from now on (action updateTeamCustomRoles).', type: [RoleAttributeInput] }),
  }),
});

const DeleteTeamInput = builder.inputType('DeleteTeamInput', {
  description: 'Which team to delete (action deleteTeam).',
  fields: (t) => ({ key: t.string({ description: 'The team\'s key.', required: true }) }),
});

const TeamPayload = builder.objectRef<{ team: TeamRow }>('TeamPayload').implement({
  description: 'The result of createTeam or updateTeam.',
  fields: (t) => ({ team: t.field({ description: 'The team with the change applied.', type: Team, resolve: (p) => p.team }) }),
});

const DeleteTeamPayload = builder.objectRef<{ deletedTeamKey: string }>('DeleteTeamPayload').implement({
  description: 'The result of deleteTeam.',
  fields: (t) => ({ deletedTeamKey: t.exposeString('deletedTeamKey', { description: 'The deleted team\'s key.' }) }),
});

/** Member global ids to raw ids; a malformed id is bad input naming its position. */
function memberIds(ids: readonly string[] | null | undefined): string[] | undefined {
  if (ids === null || ids === undefined) return undefined;
  return ids.map((id, i) => {
    try {
      return rawId(id, 'Member');
    } catch {
      throw badInput(`memberIds[${i}]`, 'no such member in this account');
    }
  });
}

builder.queryFields((t) => ({
  team: t.field({
    type: Team,
    nullable: true,
    description: 'A team of your account by key (action viewTeam); NOT_FOUND for any other key.',
    args: { key: t.arg.string({ description: 'The team\'s key.', required: true }) },
    authScopes: (_root, args) => (isKey(args.key) ? { can: { action: 'viewTeam', resource: teamResource(args.key) } } : { authenticated: true }),
    resolve: async (_root, args, ctx) => {
      const team = await findTeamByKey(ctx.app.db, callerOf(ctx).accountId, args.key);
      if (!team) throw notFound('Team');
      return team;
    },
  }),
  teams: t.connection({
    type: Team,
    description: "Your account's teams you may view, oldest first.",
    authScopes: { authenticated: true },
    resolve: (_root, args, ctx) =>
      keysetConnection('teams', args, (page) =>
        visiblePage(page, async (p) => await listTeams(ctx.app.db, callerOf(ctx).accountId, p), (team) => mayView(ctx, team)),
      ),
  }, { name: 'TeamConnection' }, { name: 'TeamEdge' }),
}));

builder.mutationFields((t) => ({
  createTeam: t.field({
    type: TeamPayload,
    description: 'Creates a team (action createTeam on team/<key>).',
    args: { input: t.arg({ type: CreateTeamInput, required: true }) },
    authScopes: (_root, { input }) =>
      isKey(input.key) ? { can: { action: 'createTeam', resource: teamResource(input.key) } } : { authenticated: true },
    resolve: async (_root, { input }, ctx) => ({ team: await createTeam(ctx, { ...input, memberIds: memberIds(input.memberIds) }) }),
  }),
  updateTeam: t.field({
    type: TeamPayload,
    description: 'Changes a team: actions updateTeamName, updateTeamDescription, updateTeamMembers, updateTeamCustomRoles (roles and role attributes) on team/<key>.',
    args: { input: t.arg({ type: UpdateTeamInput, required: true }) },
    authScopes: (_root, { input }) => {
      if (!isKey(input.key)) return { authenticated: true };
      const resource = teamResource(input.key);
      const given = (v: unknown) => v !== null && v !== undefined;
      const can: AccessRequest[] = [];
      if (given(input.name)) can.push({ action: 'updateTeamName', resource });
      if (input.description !== undefined) can.push({ action: 'updateTeamDescription', resource });
      if (given(input.memberIds)) can.push({ action: 'updateTeamMembers', resource });
      if (given(input.customRoleKeys) || given(input.roleAttributes)) can.push({ action: 'updateTeamCustomRoles', resource });
      return can.length > 0 ? { can } : { authenticated: true };
    },
    resolve: async (_root, { input }, ctx) => ({ team: await updateTeam(ctx, { ...input, memberIds: memberIds(input.memberIds) }) }),
  }),
  deleteTeam: t.field({
    type: DeleteTeamPayload,
    description: 'Deletes a team (action deleteTeam); its members lose the roles they had through it.',
    args: { input: t.arg({ type: DeleteTeamInput, required: true }) },
    authScopes: (_root, { input }) =>
      isKey(input.key) ? { can: { action: 'deleteTeam', resource: teamResource(input.key) } } : { authenticated: true },
    resolve: async (_root, { input }, ctx) => ({ deletedTeamKey: (await deleteTeam(ctx, input.key)).key }),
  }),
}));
