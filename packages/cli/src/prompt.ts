import type { Cli } from './context.ts';
import { CliError, usageError } from './errors.ts';
import type { Streams } from './output.ts';

// The prompt libraries are loaded only when a person is actually asked something.

/** Asks for the email on a terminal (prompts go to stderr: stdout only carries answers). */
export async function promptEmail(streams: Streams, defaultEmail: string | undefined): Promise<string> {
  requireTerminal(streams, '--email');
  const { default: input } = await import('@inquirer/input');
  const answer = await input(
    { message: 'Email', default: defaultEmail, required: true, validate: (v) => v.includes('@') || 'an email address' },
    { input: streams.stdin, output: streams.stderr },
  );
  return answer.trim();
}

/** Asks for the password on a terminal without echoing it (not even as asterisks). */
export async function promptPassword(streams: Streams): Promise<string> {
  requireTerminal(streams, '--password-stdin');
  const { default: password } = await import('@inquirer/password');
  return password({ message: 'Password', mask: false }, { input: streams.stdin, output: streams.stderr });
}

/** All of stdin, less one trailing newline (`echo "$PASSWORD" | latchkey login --password-stdin`). */
export async function readStdin(streams: Streams): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of streams.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function requireTerminal(streams: Streams, alternative: string): void {
  if (streams.stdin.isTTY !== true) throw usageError(`stdin is not a terminal: pass ${alternative} to log in from a script`);
}

/**
 * Asks before a delete when a person is at a terminal (default: no). `--yes` skips the question;
 * without a terminal nothing is asked, so scripts and CI never hang on a prompt.
 */
export async function confirm(cli: Cli, question: string, yes: boolean | undefined): Promise<void> {
  const { stdin, stderr } = cli.streams;
  if (yes || stdin.isTTY !== true || stderr.isTTY !== true) return;
  const { default: ask } = await import('@inquirer/confirm');
  const answer = await ask({ message: question, default: false }, { input: stdin, output: stderr });
  if (!answer) throw new CliError('CANCELLED', 'nothing was deleted');
}
