import type { Command } from 'commander';
import { collect } from '../paging.ts';
import type { Run } from '../program.ts';
import { memberJson } from '../shapes.ts';
import { shortDate } from '../time.ts';

/** `members list|invite|update|remove`. */
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
          [{ header: 'ID' }, { header: 'EMAIL' }, { header: 'NAME' }, { header: 'ROLE' }, { header: 'STATUS' }, { header: 'SINCE' }],
          nodes.map((m) => [m.id, m.email, m.name, m.role.toLowerCase(), m.status.toLowerCase(), shortDate(m.createdAt)]),
        );
      }),
    );
}
