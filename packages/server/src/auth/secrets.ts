import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BASE62, SECRET_BODY_LENGTH, SECRET_PREFIXES, secretChecksum, type SecretKind } from '@latchkey/sdk/secrets';

export { obscureSecret, recognizeSecret } from '@latchkey/sdk/secrets';

/** A fresh secret of the given kind (format documented in @latchkey/sdk/secrets). */
export function generateSecret(kind: SecretKind): string {
  const prefix = SECRET_PREFIXES[kind];
  let body = '';
  while (body.length < SECRET_BODY_LENGTH) {
    for (const byte of randomBytes(SECRET_BODY_LENGTH * 2)) {
      // Rejection sampling keeps every character uniform (248 = 4 × 62).
      if (byte < 248 && body.length < SECRET_BODY_LENGTH) body += BASE62[byte % 62];
    }
  }
  return prefix + body + secretChecksum(prefix + body);
}

/** What is stored instead of a secret. The secrets carry ≈190 random bits, so a plain SHA-256 suffices. */
export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Constant-time comparison of two digests or codes. */
export function sameDigest(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
