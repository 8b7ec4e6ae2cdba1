import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import pLimit from 'p-limit';

/**
 * scrypt password hashes stored with their parameters: `scrypt$<logN>$<r>$<p>$<salt>$<hash>`,
 * so the cost can be raised later without invalidating existing hashes.
 */
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function optionsFor(logN: number, r: number, p: number): ScryptOptions {
  const N = 2 ** logN;
  // scrypt needs 128·N·r bytes; Node refuses above maxmem (32 MiB by default).
  return { N, r, p, maxmem: 128 * N * r * 2 };
}

/**
 * New hashes (sign-ups, invitations accepted, password changes) are made one at a time: scrypt runs
 * on libuv's small thread pool (4 threads by default), and many sign-ups at once would otherwise
 * queue every login's verification behind them. Verifications are not queued here (logins are
 * throttled per account and address instead), so they always find a free thread.
 */
export const NEW_HASHES_AT_ONCE = 1;
const newHashes = pLimit(NEW_HASHES_AT_ONCE);

export function hashPassword(password: string, logN: number): Promise<string> {
  return newHashes(async () => {
    const salt = randomBytes(16);
    const key = await scryptAsync(password, salt, optionsFor(logN, 8, 1));
    return ['scrypt', logN, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
  });
}

/** How many new hashes are being made or waiting (for tests and diagnostics). */
export function pendingNewHashes(): number {
  return newHashes.activeCount + newHashes.pendingCount;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !logN || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), optionsFor(Number(logN), Number(r), Number(p)));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Whether a stored hash was made at a lower cost than the configured one (re-hash it at the next login). */
export function needsRehash(stored: string, logN: number): boolean {
  const [scheme, storedLogN] = stored.split('$');
  return scheme !== 'scrypt' || Number(storedLogN) < logN;
}

/**
 * A hash nobody's password matches, verified when the email is unknown so that an unknown
 * email and a wrong password cost the same time.
 */
export function dummyHash(logN: number): Promise<string> {
  return hashPassword(randomBytes(16).toString('hex'), logN);
}
