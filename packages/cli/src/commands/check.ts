import type { Command } from 'commander';
import { EXIT } from '../errors.ts';
import { describeStatement } from '../policy.ts';
import type { Run } from '../program.ts';
import { decisionJson } from '../shapes.ts';
import { findToken } from './lookup.ts';

/** `check <action> <resource> [--token id]`: would it be allowed, and why. */
export function registerCheck(program: Command, run: Run): void {
  program
    .command('check')
    .description('whether you (or one of your tokens) may do an action on a resource, and why; exit 1 when not')
    .argument('<action>', 'an action, e.g. updateFlag')
    .argument('<resource>', 'a resource, e.g. proj/web:env/production:flag/new-ui')
    .option('--token <token>', 'decide for this token (id or name) instead of the caller')
    .action(
      run<{ token?: string }>(async (cli, [action = '', resource = ''], o) => {
        const lk = await cli.client();
        const tokenId = o.token === undefined ? undefined : (await findToken(lk, o.token)).id;
        const decision = decisionJson(await lk.checkAccess({ action, resource, tokenId }));
        if (cli.out.json) {
          cli.out.data(decision);
        } else {
          const { c } = cli.out;
          const verdict = decision.allowed ? c.green(c.bold('ALLOWED')) : c.red(c.bold('DENIED'));
          cli.out.line(`${verdict} ${decision.action} on ${decision.resource}`);
          const pairs: Array<[string, string]> = [['reason', decision.reason]];
          if (decision.refusedBy) pairs.push(['refused by', decision.refusedBy.toLowerCase() === 'owner' ? "the token's owner" : 'the token\'s scope']);
          for (const s of decision.statements) pairs.push([s.effect === 'DENY' ? 'denied by' : 'allowed by', `${s.source} #${s.index}: ${describeStatement(s.statement)}`]);
          if (decision.statements.length === 0) pairs.push(['statements', 'none matched']);
          cli.out.details(pairs);
        }
        return decision.allowed ? EXIT.ok : EXIT.failed;
      }),
    );
}
