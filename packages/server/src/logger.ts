/**
 * A small structured logger (JSON lines on stderr). Secrets never reach it: callers log ids,
 * codes and messages, and `redact` strips anything shaped like a Latchkey secret as a last guard.
 */
import { findSecrets, obscureSecret } from '@latchkey/sdk/secrets';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function redact(text: string): string {
  let out = text;
  for (const found of findSecrets(text)) out = out.replace(found.secret, obscureSecret(found.secret));
  return out;
}

export function createLogger(write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const emit = (level: string, message: string, fields?: Record<string, unknown>) =>
    write(redact(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })));
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
