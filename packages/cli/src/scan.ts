import { findSecrets, obscureSecret, type SecretKind } from '@latchkey/sdk/secrets';

/** A secret found in a file: where, which kind, and only its obscured form (never the secret). */
export interface Finding {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  kind: SecretKind;
  obscured: string;
}

/**
 * Every Latchkey secret in a text, located by line and column. Recognition is findSecrets':
 * prefix, length, alphabet and checksum, so look-alike random strings are not reported.
 */
export function scanText(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  let line = 1;
  let lineStart = 0;
  let cursor = 0;
  for (const found of findSecrets(text)) {
    // findSecrets returns matches in order, so the newline count only ever moves forward.
    for (; cursor < found.index; cursor++) {
      if (text.charCodeAt(cursor) === 10) {
        line++;
        lineStart = cursor + 1;
      }
    }
    findings.push({ file, line, column: found.index - lineStart + 1, kind: found.kind, obscured: obscureSecret(found.secret) });
  }
  return findings;
}

export const KIND_LABEL: Readonly<Record<SecretKind, string>> = {
  personal: 'personal token',
  service: 'service token',
  session: 'session',
  invite: 'invite code',
};
