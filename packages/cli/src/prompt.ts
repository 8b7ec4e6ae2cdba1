import { usageError } from './errors.ts';
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
