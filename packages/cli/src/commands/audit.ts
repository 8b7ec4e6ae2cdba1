import type { types } from '@latchkey/sdk';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT } from '../errors.ts';
import { collect } from '../paging.ts';
import type { Run } from '../program.ts';
import { startProgress } from '../progress.ts';
import { auditEntryJson } from '../shapes.ts';
import { parseWhen, shortDate } from '../time.ts';
import { choice } from '../choices.ts';
import { findToken, memberIdOf } from './lookup.ts';

interface ListOptions {
  actor?: string;
  token?: string;
  action?: string;
  resource?: string;
  since?: string;
  until?: string;
  q?: string;
  outcome?: 'success' | 'refused';
  limit: number;
}

/** `audit list`, `audit verify`. */
export function registerAudit(program: Command, run: Run): void {
  const audit = program.command('audit').description("your account's tamper-evident audit log");

  audit
    .command('list')
    .description('entries, newest first; every filter given must match')
    .option('--actor <member>', 'entries by this member (id, email or name)')
    .option('--token <token>', 'entries made with this access token (id or name)')
    .option('--action <glob>', 'action name, * matches anything (e.g. "update*")')
    .option('--resource <glob>', 'resource specifier, * matches anything (e.g. "proj/*:env/production:*")')
    .option('--since <when>', 'at or after: an ISO date, or a duration ago (7d)')
    .option('--until <when>', 'before: an ISO date, or a duration ago')
    .option('--q <text>', 'text anywhere in the title')
    .addOption(choice(new Option('--outcome <outcome>', 'only changes made or only refused attempts'), ['success', 'refused']))
    .option('--limit <n>', 'at most this many entries', positive, 50)
    .action(
      run<ListOptions>(async (cli, _args, o) => {
        const lk = await cli.client();
        const filter: types.AuditLogFilter = {
          actorId: o.actor === undefined ? undefined : await memberIdOf(lk, o.actor),
          tokenId: o.token === undefined ? undefined : (await findToken(lk, o.token)).id,
          action: o.action,
          resource: o.resource,
          from: o.since === undefined ? undefined : parseWhen(o.since, '--since'),
          to: o.until === undefined ? undefined : parseWhen(o.until, '--until'),
          q: o.q,
          outcome: o.outcome === undefined ? undefined : o.outcome === 'success' ? 'SUCCESS' : 'REFUSED',
        };
        const { nodes, hasMore } = await collect((first, after) => lk.auditLog({ first, after, filter }), o.limit);
        if (cli.out.json) {
          cli.out.data({ entries: nodes.map(auditEntryJson), hasMore });
          return;
        }
        const { c } = cli.out;
        cli.out.table(
          [{ header: 'DATE', keep: true }, { header: 'ACTOR' }, { header: 'ACTION' }, { header: 'RESOURCE' }, { header: 'TITLE' }],
          nodes.map((e) => [
            shortDate(e.date),
            e.actor?.email ?? '-',
            e.outcome === 'REFUSED' ? c.red(`${e.action} (refused)`) : e.action,
            e.resource,
            e.title,
          ]),
        );
        if (hasMore) cli.out.note(cli.out.ce.dim(`(first ${nodes.length} shown: narrow the filters or raise --limit)`));
      }),
    );

  audit
    .command('verify')
    .description('check the hash chain for tampering (exit 1 when a link is broken)')
    .action(
      run(async (cli) => {
        const lk = await cli.client();
        const progress = startProgress(cli.streams, 'Verifying the audit log…', !cli.out.json);
        // In full: an incremental check trusts the entries a previous verification saw, and this command is the thorough one.
        const result = await lk.verifyAuditLog({ full: true }).finally(() => progress.stop());
        if (cli.out.json) {
          cli.out.data({
            ok: result.ok,
            entries: result.entries,
            headSeq: result.headSeq,
            headHash: result.headHash,
            firstBrokenLink: result.firstBrokenLink
              ? { seq: result.firstBrokenLink.seq, entryId: result.firstBrokenLink.entryId, reason: result.firstBrokenLink.reason, detail: result.firstBrokenLink.detail }
              : null,
          });
        } else if (result.ok) {
          const head = result.headSeq === null ? '' : ` up to #${result.headSeq} (head ${result.headHash?.slice(0, 16) ?? '-'}…)`;
          cli.out.line(`${cli.out.c.green('OK')}: ${result.entries} entries chain correctly${head}.`);
        } else {
          const broken = result.firstBrokenLink;
          cli.out.line(
            broken
              ? `${cli.out.c.red('BROKEN')}: entry #${broken.seq} (${broken.entryId}): ${broken.reason}: ${broken.detail}`
              : `${cli.out.c.red('BROKEN')}: the chain does not hold`,
          );
        }
        return result.ok ? EXIT.ok : EXIT.failed;
      }),
    );
}

function positive(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}
