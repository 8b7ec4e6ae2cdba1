import type { Statement } from '@latchkey/policy';
import { findSecrets } from '@latchkey/sdk/secrets';
import { badInput } from '../errors.ts';
import { normalizeEmail } from '../store/members.ts';

/** Input checks shared by every service; each throws BAD_USER_INPUT naming the field. */

/**
 * Secrets are never stored: a Latchkey secret pasted into a name, key, description, tag, email or
 * role attribute would be kept in clear text and shown to every member who can list it, so such a
 * value is refused (the secret itself is not echoed).
 */
function refuseSecrets(field: string, value: string): void {
  if (findSecrets(value).length > 0) {
    throw badInput(field, 'contains a Latchkey secret (lkp_, lks_, lku_ or lki_…): never put a secret here; reset or delete that credential if it leaked');
  }
}

/**
 * Characters that make two different strings look the same, or cut a string short in C code and
 * logs: control characters (NUL included), zero-width and bidirectional formatting characters,
 * soft hyphens and byte-order marks. Free text (descriptions) may keep tabs and new lines.
 */
const INVISIBLE = /[\p{Cc}\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/u;
const INVISIBLE_IN_TEXT = /(?![\t\n\r])[\p{Cc}\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/u;

function refuseInvisible(field: string, value: string, pattern = INVISIBLE): void {
  const found = pattern.exec(value);
  if (found) {
    const code = found[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
    throw badInput(field, `contains an invisible or control character (U+${code} at position ${found.index}); remove it`);
  }
}


const EMAIL = /^[^\s@]+@[^\s@]+$/;
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TAG = /^[A-Za-z0-9._-]{1,64}$/;

export function requireEmail(field: string, value: string): string {
  refuseInvisible(field, value);
  const email = normalizeEmail(value);
  if (!EMAIL.test(email) || email.length > 254) throw badInput(field, 'must be an email address');
  refuseSecrets(field, value);
  return email;
}

export function requireName(field: string, value: string, max = 200): string {
  refuseInvisible(field, value);
  const name = value.trim();
  if (name.length === 0) throw badInput(field, 'must not be empty');
  if (name.length > max) throw badInput(field, `must be at most ${max} characters`);
  refuseSecrets(field, name);
  return name;
}

export function optionalText(field: string, value: string | null | undefined, max = 2000): string | null {
  if (value === null || value === undefined) return null;
  if (value.length > max) throw badInput(field, `must be at most ${max} characters`);
  refuseInvisible(field, value, INVISIBLE_IN_TEXT);
  refuseSecrets(field, value);
  return value;
}

export function requirePassword(field: string, value: string): void {
  if (value.length < 8) throw badInput(field, 'must be at least 8 characters');
  if (value.length > 1024) throw badInput(field, 'must be at most 1024 characters');
}

/** Keys of roles, teams, projects, environments and flags: letters, digits, '.', '_', '-'. */
/**
 * A policy is stored and shown to everyone who can read the role or token: no secret may hide in
 * an action or a resource specifier (`proj/lks_…`).
 */
export function refuseSecretsInPolicy(field: string, statements: readonly Statement[]): void {
  statements.forEach((statement, i) => {
    for (const list of ['actions', 'notActions', 'resources', 'notResources'] as const) {
      statement[list]?.forEach((value, j) => refuseSecrets(`${field}[${i}].${list}[${j}]`, value));
    }
  });
}

export function requireKey(field: string, value: string): string {
  if (!KEY.test(value)) throw badInput(field, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  refuseSecrets(field, value);
  return value;
}

export function requireTags(field: string, values: readonly string[] | null | undefined): string[] {
  const tags = [...new Set(values ?? [])];
  for (const tag of tags) if (!TAG.test(tag)) throw badInput(field, `invalid tag "${tag}": letters, digits, ".", "_" or "-"`);
  for (const tag of tags) refuseSecrets(field, tag);
  if (tags.length > 50) throw badInput(field, 'at most 50 tags');
  return tags;
}

/** Role attributes from GraphQL input (`[{ key, values }]`) to the stored map. */
export function requireRoleAttributes(
  field: string,
  input: ReadonlyArray<{ key: string; values: readonly string[] }> | null | undefined,
): Record<string, string[]> {
  // Own keys only: `constructor` or `__proto__` are ordinary names, not Object.prototype's.
  const seen = new Map<string, string[]>();
  for (const { key, values } of input ?? []) {
    if (!KEY.test(key)) throw badInput(field, `invalid attribute key "${key}"`);
    if (seen.has(key)) throw badInput(field, `attribute "${key}" given twice`);
    for (const v of values) if (v.length === 0 || v.length > 200) throw badInput(field, `attribute "${key}" has an empty or too long value`);
    for (const v of values) refuseInvisible(field, v);
    for (const v of values) refuseSecrets(field, v);
    seen.set(key, [...new Set(values)]);
  }
  return Object.fromEntries(seen);
}
