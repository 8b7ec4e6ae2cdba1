import type { LatchkeyError } from '@latchkey/sdk';

/**
 * Exit codes, the CLI's contract with scripts (documented in the README):
 * 0 ok · 1 found (scan) or failed · 2 usage · 3 unauthenticated · 4 forbidden.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unauthenticated: 3, forbidden: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure of the CLI itself, printed as `CODE: message` like the server's errors. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
  }
}

/** A command line the CLI cannot run as given (exit 2). */
export const usageError = (message: string) => new CliError('USAGE', message, EXIT.usage);

/**
 * The exit code for an API error code. BAD_USER_INPUT is the server judging the arguments, so
 * it is a usage error too; everything else that is not about who you are is a plain failure.
 */
export function exitCodeFor(code: string): ExitCode {
  switch (code) {
    case 'UNAUTHENTICATED':
      return EXIT.unauthenticated;
    case 'FORBIDDEN':
      return EXIT.forbidden;
    case 'BAD_USER_INPUT':
    case 'USAGE':
      return EXIT.usage;
    default:
      return EXIT.failed;
  }
}

/** Any thrown value → the code, message and exit code to report. */
export function describeError(error: unknown): { code: string; message: string; exitCode: ExitCode } {
  if (error instanceof CliError) return { code: error.code, message: error.message, exitCode: error.exitCode };
  if (isLatchkeyError(error)) {
    const extra = [error.details.field, error.details.action, error.details.resource]
      .filter((v): v is string => typeof v === 'string' && v.length > 0);
    const message = extra.length > 0 && !extra.every((v) => error.message.includes(v)) ? `${error.message} (${extra.join(' ')})` : error.message;
    return { code: error.code, message, exitCode: exitCodeFor(error.code) };
  }
  if (error instanceof Error && error.name === 'ExitPromptError') return { code: 'CANCELLED', message: 'cancelled', exitCode: EXIT.failed };
  return { code: 'ERROR', message: error instanceof Error ? error.message : String(error), exitCode: EXIT.failed };
}

/**
 * Recognised by shape rather than instanceof, so that commands which never talk to a server
 * (scan, --help) do not load the SDK and graphql-js at all.
 */
export function isLatchkeyError(error: unknown): error is LatchkeyError {
  return error instanceof Error && error.name === 'LatchkeyError' && 'code' in error && typeof error.code === 'string';
}
