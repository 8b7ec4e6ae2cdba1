import { CommanderError } from 'commander';
import { describeError, EXIT } from './errors.ts';
import { Output, type Streams } from './output.ts';
import { buildProgram, type ProgramState } from './program.ts';

/**
 * Runs one command line and returns its exit code (never calls process.exit, so pending output
 * is flushed and the function can be called from tests).
 */
export async function main(argv: string[], streams: Streams = process): Promise<number> {
  const state: ProgramState = { exitCode: EXIT.ok };
  const program = buildProgram(streams, state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (error) {
    // commander already printed its message (help, version or the usage error).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { code, message, exitCode } = describeError(error);
    new Output(streams, false, argv.includes('--no-color') ? false : undefined).error(code, message);
    return exitCode;
  }
}
