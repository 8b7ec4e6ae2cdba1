/**
 * Latchkey secret format — recognisable offline, like GitHub's tokens.
 *
 *   lkp_ 3Xh…(32 chars)… Q9z8aB
 *   │    │                 └ 6 base62 chars: CRC-32 of prefix + body, so a leaked string can be
 *   │    │                   told from random text without asking the server
 *   │    └ 32 base62 chars of randomness (≈190 bits)
 *   └ kind: lkp_ personal token, lks_ service token, lku_ member session, lki_ invite code
 *
 * Pure: no Node APIs, so it works in browsers, scripts and the CLI's `scan`.
 */
export type SecretKind = 'personal' | 'service' | 'session' | 'invite';

export const SECRET_PREFIXES: Readonly<Record<SecretKind, string>> = {
  personal: 'lkp_',
  service: 'lks_',
  session: 'lku_',
  invite: 'lki_',
};

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SECRET_BODY_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
export const SECRET_LENGTH = 4 + SECRET_BODY_LENGTH + CHECKSUM_LENGTH;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The checksum characters for a prefix + body, fixed width. */
export function secretChecksum(prefixAndBody: string): string {
  let n = crc32(prefixAndBody);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

const KIND_BY_PREFIX = new Map(Object.entries(SECRET_PREFIXES).map(([kind, prefix]) => [prefix, kind as SecretKind]));

function isBase62(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!ok) return false;
  }
  return true;
}

/**
 * Recognises a Latchkey secret: right prefix, length, alphabet and checksum.
 * @returns the kind of secret, or null when the text is not one (a random string of the
 *   same shape passes the checksum only once in 62⁶).
 */
export function recognizeSecret(text: string): SecretKind | null {
  if (text.length !== SECRET_LENGTH) return null;
  const kind = KIND_BY_PREFIX.get(text.slice(0, 4));
  if (!kind) return null;
  const body = text.slice(4, 4 + SECRET_BODY_LENGTH);
  const checksum = text.slice(4 + SECRET_BODY_LENGTH);
  if (!isBase62(body) || !isBase62(checksum)) return null;
  return secretChecksum(text.slice(0, 4 + SECRET_BODY_LENGTH)) === checksum ? kind : null;
}

/** The form shown in lists: prefix, an ellipsis and the last four characters. */
export function obscureSecret(secret: string): string {
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

export interface FoundSecret {
  kind: SecretKind;
  index: number;
  secret: string;
}

const PREFIX = /lk[psui]_/g;

/**
 * Every valid Latchkey secret inside a text (for leak scanners and redaction), wherever it
 * stands: glued to other words (`x_lks_…`, `…lks_…abc`) it is still a leaked secret. Each
 * prefix is tried with the characters after it; the checksum tells a secret from chance.
 */
export function findSecrets(text: string): FoundSecret[] {
  const found: FoundSecret[] = [];
  for (const match of text.matchAll(PREFIX)) {
    const candidate = text.slice(match.index, match.index + SECRET_LENGTH);
    const kind = recognizeSecret(candidate);
    if (kind) found.push({ kind, index: match.index, secret: candidate });
  }
  return found;
}
