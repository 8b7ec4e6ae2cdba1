import { Command, Option, type OptionValues } from 'commander';
import { Cli, type GlobalOptions } from './context.ts';
import { VERSION } from './version.ts';
import type { Streams } from './output.ts';
import { registerAuth } from './commands/auth.ts';
import { registerScan } from './commands/scan.ts';
import { registerAudit } from './commands/audit.ts';
import { registerMembers } from './commands/members.ts';
import { registerTokens } from './commands/tokens.ts';
import { registerRoles } from './commands/roles.ts';
import { registerCheck } from './commands/check.ts';

/** What a command's handler gets: the run's context, its positional arguments and its options. */
export type Handler<O> = (cli: Cli, args: string[], options: O, command: Command) => Promise<number | void>;
/** Wraps a handler as a commander action; a number returned becomes the exit code. */
export type Run = <O>(handler: Handler<O>) => (...commanderArgs: unknown[]) => Promise<void>;

export interface ProgramState {
  exitCode: number;
}

/**
 * The whole command tree. Usage errors and help never call process.exit (exitOverride): main()
 * turns them into exit code 2 (or 0 for --help), so tests and embedding stay in control.
 */
export function buildProgram(streams: Streams, state: ProgramState): Command {
  const program = new Command('latchkey')
    .description('Latchkey API access tokens from the command line, through @latchkey/sdk.')
    .version(VERSION, '-V, --version')
    .addOption(new Option('--json', 'print one JSON document on stdout (stable shapes, see the README)'))
    .addOption(new Option('--url <url>', 'GraphQL endpoint (default: LATCHKEY_URL, the URL you logged in to, or http://localhost:4000/graphql)'))
    .addOption(new Option('--no-color', 'never colour the output (also NO_COLOR=1)'))
    .addOption(new Option('--wide', 'tables at full width (by default long cells are cut to fit the terminal)'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
      outputError: (text, write) => write(text.replace(/^error: /, 'USAGE: ')),
    });

  const run: Run = <O,>(handler: Handler<O>) => async (...commanderArgs: unknown[]) => {
    const command = commanderArgs[commanderArgs.length - 1];
    if (!(command instanceof Command)) throw new Error('commander passed no command');
    const cli = new Cli(streams, command.optsWithGlobals<GlobalOptions>());
    const code = await handler(cli, command.args, command.opts<O & OptionValues>(), command);
    if (typeof code === 'number') state.exitCode = code;
  };

  registerAuth(program, run);
  registerScan(program, run);
  registerTokens(program, run);
  registerRoles(program, run);
  registerMembers(program, run);
  registerCheck(program, run);
  registerAudit(program, run);
  return program;
}
