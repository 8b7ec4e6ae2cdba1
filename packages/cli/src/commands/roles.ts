import type { types } from '@latchkey/sdk';
import { Option, type Command } from 'commander';
import { choice } from '../choices.ts';
import type { Cli } from '../context.ts';
import { CliError, usageError } from '../errors.ts';
import { collect } from '../paging.ts';
import { describeStatement, readPolicyFile } from '../policy.ts';
import type { Run } from '../program.ts';
import { confirm } from '../prompt.ts';
import { roleJson, type RoleJson } from '../shapes.ts';
import { shortDate } from '../time.ts';

interface RoleOptions {
  name?: string;
  description?: string;
  policyFile?: string;
  base?: 'reader' | 'no_access';
}

/** `roles list|show|create|update|delete`: custom roles, policies written as JSON files. */
export function registerRoles(program: Command, run: Run): void {
  const roles = program.command('roles').description('custom roles: named policies for members, teams and tokens');

  roles
    .command('list')
    .description("your account's custom roles")
    .action(
      run(async (cli) => {
        const lk = await cli.client();
        const { nodes } = await collect((first, after) => lk.roles({ first, after }));
        if (cli.out.json) {
          cli.out.data({ roles: nodes.map(roleJson) });
          return;
        }
        cli.out.table(
          [{ header: 'KEY' }, { header: 'NAME' }, { header: 'BASE', keep: true }, { header: 'STATEMENTS', align: 'right', keep: true }, { header: 'UPDATED', keep: true }, { header: 'DESCRIPTION' }],
          nodes.map((r) => [r.key, r.name, r.basePermissions?.toLowerCase() ?? '-', String(r.policy.length), shortDate(r.updatedAt), r.description ?? '']),
        );
      }),
    );

  roles
    .command('show')
    .description('one role with its policy (--json output can be edited and given back to --policy-file)')
    .argument('<key>', 'role key')
    .action(
      run(async (cli, [key = '']) => {
        const role = await (await cli.client()).role(key);
        if (!role) throw new CliError('NOT_FOUND', `no role ${key}`);
        showRole(cli, roleJson(role));
      }),
    );

  roleOptions(
    roles
      .command('create')
      .description('a new custom role')
      .argument('<key>', 'role key, used in policies and --custom-role')
      .requiredOption('--name <name>', 'display name')
      .requiredOption('--policy-file <file>', 'the policy: a JSON array of statements ("-" reads stdin)'),
  ).action(
    run<RoleOptions>(async (cli, [key = ''], o) => {
      const input: types.CreateRoleInput = {
        key,
        name: o.name ?? key,
        description: o.description,
        basePermissions: baseOf(o.base),
        policy: readPolicyFile(o.policyFile ?? ''),
      };
      showRole(cli, roleJson(await (await cli.client()).createRole(input)));
    }),
  );

  roleOptions(
    roles
      .command('update')
      .description('change the fields given; a new --policy-file replaces the whole policy')
      .argument('<key>', 'role key')
      .option('--name <name>', 'display name')
      .option('--policy-file <file>', 'the new policy: a JSON array of statements ("-" reads stdin)'),
  ).action(
    run<RoleOptions>(async (cli, [key = ''], o) => {
      const input: types.UpdateRoleInput = { key };
      if (o.name !== undefined) input.name = o.name;
      if (o.description !== undefined) input.description = o.description;
      if (o.base !== undefined) input.basePermissions = baseOf(o.base);
      if (o.policyFile !== undefined) input.policy = readPolicyFile(o.policyFile);
      if (Object.keys(input).length === 1) throw usageError('nothing to change: give --name, --description, --base or --policy-file');
      showRole(cli, roleJson(await (await cli.client()).updateRole(input)));
    }),
  );

  roles
    .command('delete')
    .description('delete a custom role (members, teams and tokens lose what it granted)')
    .argument('<key>', 'role key')
    .option('-y, --yes', 'do not ask for confirmation (never asked when stdin is not a terminal)')
    .action(
      run<{ yes?: boolean }>(async (cli, [key = ''], o) => {
        const lk = await cli.client();
        await confirm(cli, `Delete role "${key}"?`, o.yes);
        const deletedRoleKey = await lk.deleteRole({ key });
        if (cli.out.json) cli.out.data({ deletedRoleKey });
        else cli.out.line(`Deleted role ${deletedRoleKey}.`);
      }),
    );
}

function roleOptions(command: Command): Command {
  return command
    .option('--description <text>', 'what the role is for')
    .addOption(choice(new Option('--base <permissions>', 'reader: the reader policy is added to this role; no_access: only the policy'), ['reader', 'no_access']));
}

function baseOf(base: RoleOptions['base']): 'READER' | 'NO_ACCESS' | undefined {
  return base === undefined ? undefined : base === 'reader' ? 'READER' : 'NO_ACCESS';
}

function showRole(cli: Cli, role: RoleJson): void {
  if (cli.out.json) {
    cli.out.data(role);
    return;
  }
  cli.out.details([
    ['key', role.key],
    ['name', role.name],
    ['description', role.description ?? '-'],
    ['base', role.basePermissions?.toLowerCase() ?? '-'],
    ...role.policy.map((s, i): [string, string] => [`statement ${i}`, describeStatement(s)]),
    ['created', shortDate(role.createdAt)],
    ['updated', shortDate(role.updatedAt)],
  ]);
}
