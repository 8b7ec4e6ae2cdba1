import type { types } from '@latchkey/sdk';
import { Option, type Command } from 'commander';
import type { Cli } from '../context.ts';
import { CliError, usageError } from '../errors.ts';
import { collect } from '../paging.ts';
import { baseRole, BASE_ROLES, type BaseRoleName } from '../policy.ts';
import type { Run } from '../program.ts';
import { memberDetailJson, memberJson, type MemberDetailJson } from '../shapes.ts';
import { shortDate } from '../time.ts';
import { choice } from '../choices.ts';
import { confirm } from '../prompt.ts';
import { findMember, memberIdOf } from './lookup.ts';

interface InviteOptions {
  role: BaseRoleName;
  name?: string;
  customRole: string[];
  attribute: types.RoleAttributeInput[];
  quiet?: boolean;
}

interface UpdateOptions {
  role?: BaseRoleName;
  customRole: string[];
  customRoles?: boolean;
  attribute: types.RoleAttributeInput[];
  attributes?: boolean;
}

const MEMBER_ARG = 'member id, email or name';

/** `members list|show|invite|update|remove`; a member is given by id, email or name. */
export function registerMembers(program: Command, run: Run): void {
  const members = program.command('members').description("your account's members");

  members
    .command('list')
    .description('every member of your account')
    .action(
      run(async (cli) => {
        const lk = await cli.client();
        const { nodes } = await collect((first, after) => lk.members({ first, after }));
        if (cli.out.json) {
          cli.out.data({ members: nodes.map(memberJson) });
          return;
        }
        cli.out.table(
          [{ header: 'ID' }, { header: 'EMAIL' }, { header: 'NAME' }, { header: 'ROLE', keep: true }, { header: 'STATUS', keep: true }, { header: 'SINCE', keep: true }],
          nodes.map((m) => [m.id, m.email, m.name, m.role.toLowerCase(), m.status.toLowerCase(), shortDate(m.createdAt)]),
        );
      }),
    );

  members
    .command('show')
    .description('one member with custom roles, teams and role attributes')
    .argument('<member>', MEMBER_ARG)
    .action(
      run(async (cli, [who = '']) => {
        const lk = await cli.client();
        const member = await lk.memberAccess(await memberIdOf(lk, who));
        if (!member) throw new CliError('NOT_FOUND', `no member ${who}`);
        showMember(cli, memberDetailJson(member));
      }),
    );

  members
    .command('invite')
    .description('invite someone by email; prints the invite code they accept with (once)')
    .argument('<email>', 'their email')
    .addOption(choice(new Option('--role <role>', 'base role'), BASE_ROLES).makeOptionMandatory())
    .option('--name <name>', 'shown until they choose their own')
    .option('--custom-role <key>', 'a custom role (repeat for several)', collectString, [])
    .option('--attribute <key=values>', 'a role attribute, values comma-separated (repeatable)', collectAttribute, [])
    .option('-q, --quiet', 'print only the invite code on stdout')
    .action(
      run<InviteOptions>(async (cli, [email = ''], o) => {
        const { member, inviteCode } = await (await cli.client()).inviteMember({
          email,
          name: o.name,
          role: baseRole(o.role),
          customRoleKeys: o.customRole.length > 0 ? o.customRole : undefined,
          roleAttributes: o.attribute.length > 0 ? o.attribute : undefined,
        });
        if (o.quiet) cli.out.line(inviteCode);
        else if (cli.out.json) cli.out.data({ member: memberDetailJson(member), inviteCode });
        else {
          cli.out.line(`Invited ${member.email} as ${member.role.toLowerCase()} (${member.id}). Invite code:`);
          cli.out.line(cli.out.c.bold(inviteCode));
          cli.out.note(cli.out.ce.yellow('The invite code is shown once: send it to them over a private channel.'));
        }
      }),
    );

  members
    .command('update')
    .description('change base role, custom roles or role attributes (lists given replace the old ones)')
    .argument('<member>', MEMBER_ARG)
    .addOption(choice(new Option('--role <role>', 'base role'), BASE_ROLES))
    .option('--custom-role <key>', 'the custom roles, replacing the current ones (repeatable)', collectString, [])
    .option('--no-custom-roles', 'remove every custom role')
    .option('--attribute <key=values>', 'the role attributes, replacing the current ones (repeatable)', collectAttribute, [])
    .option('--no-attributes', 'remove every role attribute')
    .action(
      run<UpdateOptions>(async (cli, [who = ''], o) => {
        if (o.customRoles === false && o.customRole.length > 0) throw usageError('give --custom-role or --no-custom-roles, not both');
        if (o.attributes === false && o.attribute.length > 0) throw usageError('give --attribute or --no-attributes, not both');
        const lk = await cli.client();
        const input: types.UpdateMemberInput = { id: await memberIdOf(lk, who) };
        if (o.role !== undefined) input.role = baseRole(o.role);
        if (o.customRole.length > 0) input.customRoleKeys = o.customRole;
        if (o.customRoles === false) input.customRoleKeys = [];
        if (o.attribute.length > 0) input.roleAttributes = o.attribute;
        if (o.attributes === false) input.roleAttributes = [];
        if (Object.keys(input).length === 1) throw usageError('nothing to change: give --role, --custom-role, --no-custom-roles, --attribute or --no-attributes');
        showMember(cli, memberDetailJson(await lk.updateMember(input)));
      }),
    );

  members
    .command('remove')
    .description('remove a member: their sessions end and their personal tokens stop working')
    .argument('<member>', MEMBER_ARG)
    .option('-y, --yes', 'do not ask for confirmation (never asked when stdin is not a terminal)')
    .action(
      run<{ yes?: boolean }>(async (cli, [who = ''], o) => {
        const lk = await cli.client();
        const found = await findMember(lk, who);
        await confirm(cli, `Remove member ${found.label}? Their sessions end and their personal tokens stop working.`, o.yes);
        const removedMemberId = await lk.removeMember({ id: found.id });
        if (cli.out.json) cli.out.data({ removedMemberId });
        else cli.out.line(`Removed member ${removedMemberId}.`);
      }),
    );
}

function showMember(cli: Cli, m: MemberDetailJson): void {
  if (cli.out.json) {
    cli.out.data(m);
    return;
  }
  cli.out.details([
    ['id', m.id],
    ['email', m.email],
    ['name', m.name],
    ['role', m.role.toLowerCase()],
    ['custom roles', m.customRoleKeys.join(', ') || '-'],
    ['teams', m.teamKeys.join(', ') || '-'],
    ['attributes', m.roleAttributes.map((a) => `${a.key}=${a.values.join(',')}`).join(' ') || '-'],
    ['status', m.status.toLowerCase()],
    ['since', shortDate(m.createdAt)],
  ]);
}

function collectString(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--attribute team=web,api` → { key: 'team', values: ['web', 'api'] }. */
function collectAttribute(value: string, previous: types.RoleAttributeInput[]): types.RoleAttributeInput[] {
  const eq = value.indexOf('=');
  const key = value.slice(0, eq).trim();
  if (eq <= 0 || key === '') throw usageError(`--attribute: expected key=value[,value…], got "${value}"`);
  const values = value.slice(eq + 1).split(',').map((v) => v.trim()).filter((v) => v !== '');
  return [...previous, { key, values }];
}
