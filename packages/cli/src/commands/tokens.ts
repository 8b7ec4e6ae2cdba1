import type { types } from '@latchkey/sdk';
import { Option, type Command } from 'commander';
import { choice } from '../choices.ts';
import type { Cli } from '../context.ts';
import { CliError, usageError } from '../errors.ts';
import { collect } from '../paging.ts';
import { baseRole, describeStatement, readPolicyFile, type BaseRoleName } from '../policy.ts';
import type { Run } from '../program.ts';
import { confirm } from '../prompt.ts';
import { scopeOf, tokenJson, type TokenLike } from '../shapes.ts';
import { inFuture, relative, shortDate } from '../time.ts';
import { findToken } from './lookup.ts';

interface ScopeOptions {
  role?: BaseRoleName;
  customRole: string[];
  policyFile?: string;
}

interface CreateOptions extends ScopeOptions {
  name: string;
  description?: string;
  service?: boolean;
  apiVersion?: number;
  expiresIn?: string;
  quiet?: boolean;
}

interface UpdateOptions extends ScopeOptions {
  name?: string;
  description?: string;
  expiresIn?: string;
  expiry?: boolean;
}

const TOKEN_ROLES = ['reader', 'writer', 'admin', 'owner'] as const;
export const TOKEN_ARG = 'token id, or its name';

/** `tokens list|show|create|update|clone|reset|delete`. */
export function registerTokens(program: Command, run: Run): void {
  const tokens = program.command('tokens').description('personal and service API access tokens');

  tokens
    .command('list')
    .description('your tokens (with --all: every token you may view)')
    .option('--all', 'every token you may view, not only your own')
    .addOption(choice(new Option('--kind <kind>', 'only personal or only service tokens'), ['personal', 'service']))
    .action(
      run<{ all?: boolean; kind?: 'personal' | 'service' }>(async (cli, _args, o) => {
        const lk = await cli.client();
        const kind = o.kind === undefined ? undefined : o.kind === 'personal' ? 'PERSONAL' : 'SERVICE';
        const { nodes } = await collect((first, after) => lk.tokens({ first, after, showAll: o.all === true, kind }));
        if (cli.out.json) {
          cli.out.data({ tokens: nodes.map(tokenJson) });
          return;
        }
        const { c } = cli.out;
        cli.out.table(
          [{ header: 'ID' }, { header: 'NAME' }, { header: 'KIND', keep: true }, { header: 'SCOPE' }, { header: 'SECRET', keep: true }, { header: 'OWNER' }, { header: 'EXPIRES', keep: true }, { header: 'LAST USED', keep: true }],
          nodes.map((t) => {
            const dim = t.active ? (s: string) => s : c.dim;
            return [t.id, t.active ? t.name : `${t.name} (inactive)`, t.kind.toLowerCase(), scopeOf(t), t.obscuredSecret, t.owner?.email ?? '-', relative(t.expiresAt), t.lastUsedAt ? relative(t.lastUsedAt) : 'never'].map(dim);
          }),
        );
      }),
    );

  tokens
    .command('show')
    .description('one token (never its secret)')
    .argument('<token>', TOKEN_ARG)
    .action(
      run(async (cli, [ref = '']) => {
        const lk = await cli.client();
        const found = await findToken(lk, ref);
        const token = await lk.token(found.id);
        if (!token) throw new CliError('NOT_FOUND', `no token ${found.label}`);
        showToken(cli, token);
      }),
    );

  scopeOptions(
    tokens
      .command('create')
      .description('a new token; its secret is printed this once (--quiet: only the secret, for a secret store)')
      .requiredOption('--name <name>', 'a name to recognise it by')
      .option('--description <text>', 'what it is for'),
  )
    .option('--service', 'a service token (belongs to the account, fixed scope) instead of a personal one')
    .option('--api-version <n>', 'default API version for requests that do not send one (default: the newest)', integer('--api-version'))
    .option('--expires-in <duration>', 'refused after this long: 90s, 15m, 12h, 30d, 2w')
    .option('-q, --quiet', 'print only the secret on stdout')
    .action(
      run<CreateOptions>(async (cli, _args, o) => {
        const scope = scopeInput(o);
        if (!scope) throw usageError('give the scope: --role, --custom-role or --policy-file');
        const input: types.CreateTokenInput = {
          name: o.name,
          description: o.description,
          serviceToken: o.service === true,
          defaultApiVersion: o.apiVersion,
          expiresAt: o.expiresIn === undefined ? undefined : inFuture(o.expiresIn, '--expires-in'),
          ...scope,
        };
        const { token, secret } = await (await cli.client()).createToken(input);
        printSecret(cli, o.quiet, `Created ${token.kind.toLowerCase()} token "${token.name}" (${token.id}), scope ${scopeOf(token)}.`, token, secret);
      }),
    );

  scopeOptions(
    tokens
      .command('update')
      .description('change the fields given (a service token\'s scope is fixed)')
      .argument('<token>', TOKEN_ARG)
      .option('--name <name>', 'new name')
      .option('--description <text>', 'new description ("" clears it)'),
  )
    .option('--expires-in <duration>', 'refused after this long from now: 90s, 15m, 12h, 30d, 2w')
    .option('--no-expiry', 'never expires')
    .action(
      run<UpdateOptions>(async (cli, [ref = ''], o) => {
        if (o.expiry === false && o.expiresIn !== undefined) throw usageError('give --expires-in or --no-expiry, not both');
        const changes: Omit<types.UpdateTokenInput, 'id'> = { ...scopeInput(o) };
        if (o.name !== undefined) changes.name = o.name;
        if (o.description !== undefined) changes.description = o.description === '' ? null : o.description;
        if (o.expiresIn !== undefined) changes.expiresAt = inFuture(o.expiresIn, '--expires-in');
        if (o.expiry === false) changes.expiresAt = null;
        if (Object.keys(changes).length === 0) throw usageError('nothing to change: give --name, --description, --role, --custom-role, --policy-file, --expires-in or --no-expiry');
        const lk = await cli.client();
        const token = await lk.updateToken({ id: (await findToken(lk, ref)).id, ...changes });
        if (cli.out.json) cli.out.data(tokenJson(token));
        else showToken(cli, token);
      }),
    );

  tokens
    .command('clone')
    .description('a new token with the same scope, kind and API version; its secret is printed once')
    .argument('<token>', TOKEN_ARG)
    .option('--name <name>', 'name of the copy (default "<name> (copy)")')
    .option('-q, --quiet', 'print only the secret on stdout')
    .action(
      run<{ name?: string; quiet?: boolean }>(async (cli, [ref = ''], o) => {
        const lk = await cli.client();
        const { token, secret } = await lk.cloneToken({ id: (await findToken(lk, ref)).id, name: o.name });
        printSecret(cli, o.quiet, `Cloned into ${token.kind.toLowerCase()} token "${token.name}" (${token.id}).`, token, secret);
      }),
    );

  tokens
    .command('reset')
    .description('a new secret for the token; the old one stops at once or after --old-expires-in')
    .argument('<token>', TOKEN_ARG)
    .option('--old-expires-in <duration>', 'keep the old secret working this long (rotation grace period), e.g. 1h')
    .option('-q, --quiet', 'print only the new secret on stdout')
    .action(
      run<{ oldExpiresIn?: string; quiet?: boolean }>(async (cli, [ref = ''], o) => {
        const grace = o.oldExpiresIn === undefined || o.oldExpiresIn === '0' ? undefined : inFuture(o.oldExpiresIn, '--old-expires-in');
        const lk = await cli.client();
        const { token, secret } = await lk.resetToken({ id: (await findToken(lk, ref)).id, oldSecretExpiresAt: grace });
        const old = grace ? `the old secret works until ${shortDate(grace)} UTC` : 'the old secret no longer works';
        printSecret(cli, o.quiet, `Reset token "${token.name}" (${token.id}): ${old}.`, token, secret);
      }),
    );

  tokens
    .command('delete')
    .description('delete a token: every later request with it is refused')
    .argument('<token>', TOKEN_ARG)
    .option('-y, --yes', 'do not ask for confirmation (never asked when stdin is not a terminal)')
    .action(
      run<{ yes?: boolean }>(async (cli, [ref = ''], o) => {
        const lk = await cli.client();
        const found = await findToken(lk, ref);
        await confirm(cli, `Delete token ${found.label}? Every request with it will be refused.`, o.yes);
        const deletedTokenId = await lk.deleteToken({ id: found.id });
        if (cli.out.json) cli.out.data({ deletedTokenId });
        else cli.out.line(`Deleted token ${deletedTokenId}.`);
      }),
    );
}

/** The three mutually exclusive ways to scope a token (or a member's grant). */
export function scopeOptions(command: Command): Command {
  return command
    .addOption(choice(new Option('--role <role>', 'scope: a base role'), TOKEN_ROLES))
    .option('--custom-role <key>', 'scope: a custom role (repeat for several)', (key: string, keys: string[]) => [...keys, key], [])
    .option('--policy-file <file>', 'scope: an inline policy, a JSON array of statements ("-" reads stdin)');
}

/** The scope fields of a token input, or undefined when none was given; more than one is a usage error. */
function scopeInput(o: ScopeOptions): Pick<types.CreateTokenInput, 'role' | 'customRoleKeys' | 'inlinePolicy'> | undefined {
  const given = [o.role !== undefined, o.customRole.length > 0, o.policyFile !== undefined].filter(Boolean).length;
  if (given > 1) throw usageError('give one scope: --role, --custom-role or --policy-file');
  if (o.role !== undefined) return { role: baseRole(o.role) };
  if (o.customRole.length > 0) return { customRoleKeys: o.customRole };
  if (o.policyFile !== undefined) return { inlinePolicy: readPolicyFile(o.policyFile) };
  return undefined;
}

/**
 * A secret is printed once. `--quiet`: the secret alone on stdout (pipe it into a secret store);
 * `--json`: `{ token, secret }`; otherwise the summary and the secret on stdout, the warning on stderr.
 */
function printSecret(cli: Cli, quiet: boolean | undefined, summary: string, token: TokenLike, secret: string): void {
  if (quiet) {
    cli.out.line(secret);
    return;
  }
  if (cli.out.json) {
    cli.out.data({ token: tokenJson(token), secret });
    return;
  }
  cli.out.line(summary);
  cli.out.line(cli.out.c.bold(secret));
  cli.out.note(cli.out.ce.yellow('This secret is shown once: store it now.'));
}

function showToken(cli: Cli, t: TokenLike): void {
  if (cli.out.json) {
    cli.out.data(tokenJson(t));
    return;
  }
  const { c } = cli.out;
  cli.out.details([
    ['id', t.id],
    ['name', t.name],
    ['description', t.description ?? '-'],
    ['kind', t.kind.toLowerCase()],
    ['scope', scopeOf(t)],
    ...(t.inlinePolicy ?? []).map((s, i): [string, string] => [`  statement ${i}`, describeStatement(s)]),
    ['secret', t.obscuredSecret],
    ['owner', t.owner ? `${t.owner.email} (${t.owner.name})` : '-'],
    ['status', t.active ? c.green('active') : c.red('inactive')],
    ['api version', String(t.defaultApiVersion)],
    ['created', shortDate(t.createdAt)],
    ['updated', shortDate(t.updatedAt)],
    ['last used', t.lastUsedAt ? `${shortDate(t.lastUsedAt)} (${relative(t.lastUsedAt)})` : 'never'],
    ['expires', t.expiresAt ? `${shortDate(t.expiresAt)} (${relative(t.expiresAt)})` : 'never'],
  ]);
}

function integer(option: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw usageError(`${option}: expected a whole number, got "${text}"`);
    return n;
  };
}

