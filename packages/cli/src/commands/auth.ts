import { Option, type Command } from 'commander';
import { forgetSession, writeConfig } from '../config.ts';
import { normalizeUrl } from '../context.ts';
import { isLatchkeyError, usageError } from '../errors.ts';
import type { Run } from '../program.ts';
import { promptEmail, promptPassword, readStdin } from '../prompt.ts';
import { memberJson, scopeOf, tokenJson } from '../shapes.ts';

interface LoginOptions {
  email?: string;
  passwordStdin?: boolean;
}

/** `login`, `logout`, `whoami`. */
export function registerAuth(program: Command, run: Run): void {
  program
    .command('login')
    .description('log in with email and password; the session secret is saved in your config file (mode 0600)')
    .option('--email <email>', 'your email (prompted for when omitted)')
    .addOption(new Option('--password-stdin', 'read the password from stdin instead of prompting (for scripts)'))
    .action(
      run<LoginOptions>(async (cli, _args, options) => {
        const url = cli.url();
        const stored = cli.config();
        const email = options.email ?? (await promptEmail(cli.streams, stored.email));
        const password = options.passwordStdin ? await readStdin(cli.streams) : await promptPassword(cli.streams);
        if (password === '') throw usageError('empty password');

        const { secret, member } = await (await cli.anonymous(url)).login({ email, password });
        // The previous session would otherwise live on until it expires, unseen.
        if (stored.token && stored.url) {
          await (await cli.anonymous(normalizeUrl(stored.url), stored.token)).logout().catch(() => false);
        }
        writeConfig(cli.configPath, { url, token: secret, email: member.email });

        if (cli.out.json) cli.out.data({ url, member: memberJson(member), configPath: cli.configPath });
        else cli.out.line(`Logged in to ${url} as ${cli.out.c.bold(member.email)} (${member.role}).`);
        if (cli.env.LATCHKEY_TOKEN) cli.out.note(cli.out.ce.yellow('Note: LATCHKEY_TOKEN is set and takes precedence over this session.'));
      }),
    );

  program
    .command('logout')
    .description('revoke the saved session on the server and remove it from your config file')
    .action(
      run(async (cli) => {
        const stored = cli.config();
        if (!stored.token || !stored.url) {
          if (cli.out.json) cli.out.data({ loggedOut: false, url: stored.url ?? null });
          else cli.out.note('Not logged in.');
          return;
        }
        const url = normalizeUrl(stored.url);
        try {
          await (await cli.anonymous(url, stored.token)).logout();
        } catch (error) {
          // Already expired or revoked: there is nothing left to revoke. Any other failure keeps
          // the secret, so the session is not left alive on the server without a way to end it.
          if (!(isLatchkeyError(error) && error.code === 'UNAUTHENTICATED')) throw error;
        }
        forgetSession(cli.configPath, stored);
        if (cli.out.json) cli.out.data({ loggedOut: true, url });
        else cli.out.line(`Logged out of ${url}.`);
      }),
    );

  program
    .command('whoami')
    .description('who the current credential belongs to')
    .action(
      run(async (cli) => {
        const lk = await cli.client();
        const viewer = await lk.viewer();
        // Which token, when the credential is one (scripts use this to check what they run as).
        const token = viewer.credentialKind === 'SESSION' ? null : await lk.viewerToken();
        const url = cli.url();
        if (cli.out.json) {
          cli.out.data({
            url,
            credentialKind: viewer.credentialKind,
            apiVersion: viewer.apiVersion,
            member: memberJson(viewer.member),
            token: token ? tokenJson(token) : null,
          });
          return;
        }
        cli.out.details([
          ['email', viewer.member.email],
          ['name', viewer.member.name],
          ['role', viewer.member.role.toLowerCase()],
          ['credential', token ? `${viewer.credentialKind.toLowerCase()} token "${token.name}" (${token.id}), scope ${scopeOf(token)}` : viewer.credentialKind.toLowerCase()],
          ['server', url],
          ['api version', String(viewer.apiVersion)],
        ]);
      }),
    );
}
