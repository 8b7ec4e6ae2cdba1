import type { Latchkey } from '@latchkey/sdk';
import { CliError, EXIT } from '../errors.ts';
import { collect } from '../paging.ts';

/**
 * Where a command asks for a token or a member, a person may give what they see: the id from
 * a list, the raw id inside a resource specifier or an audit entry (`member/<id>:token/<id>`),
 * a token's name, a member's email or name. Each resolves to the API's global id; a name that
 * fits several is refused with their ids rather than guessed.
 */
export interface Found {
  id: string;
  /** How to name it back to the person: `"ci" (VG9r…)`. */
  label: string;
}

/** The API's ids are Relay global ids, base64("Token:<raw id>"); specifiers carry the raw id. */
export function globalId(typename: string, rawId: string): string {
  return Buffer.from(`${typename}:${rawId}`, 'utf8').toString('base64');
}

/** The raw id inside a global id of that type, or null when `text` is not one. */
export function rawIdOf(text: string, typename: string): string | null {
  if (!/^[A-Za-z0-9+/]+=*$/.test(text)) return null;
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  return decoded.startsWith(`${typename}:`) && globalId(typename, decoded.slice(typename.length + 1)) === text ? decoded.slice(typename.length + 1) : null;
}

/** A token by id, raw id or name, among the tokens you may view. */
export async function findToken(lk: Latchkey, ref: string): Promise<Found> {
  if (rawIdOf(ref, 'Token') !== null) return { id: ref, label: ref };
  const { nodes } = await collect((first, after) => lk.tokens({ first, after, showAll: true }));
  return pick('token', ref, nodes, [
    (t) => rawIdOf(t.id, 'Token') === ref,
    (t) => t.name === ref,
    (t) => t.name.toLowerCase() === ref.toLowerCase(),
  ], (t) => `"${t.name}" (${t.id}${t.owner ? `, ${t.owner.email}` : ', service'})`);
}

/** A member by id, raw id, email or name. */
export async function findMember(lk: Latchkey, ref: string): Promise<Found> {
  if (rawIdOf(ref, 'Member') !== null) return { id: ref, label: ref };
  const { nodes } = await collect((first, after) => lk.members({ first, after }));
  return pick('member', ref, nodes, [
    (m) => rawIdOf(m.id, 'Member') === ref,
    (m) => m.email.toLowerCase() === ref.toLowerCase(),
    (m) => m.name === ref,
    (m) => m.name.toLowerCase() === ref.toLowerCase(),
  ], (m) => `${m.email} (${m.id})`);
}

/** The global id of a member given any way findMember accepts. */
export async function memberIdOf(lk: Latchkey, ref: string): Promise<string> {
  return (await findMember(lk, ref)).id;
}

/** The first rule that matches anything decides; more than one match is ambiguous. */
function pick<T extends { id: string }>(kind: string, ref: string, nodes: readonly T[], rules: ReadonlyArray<(node: T) => boolean>, describe: (node: T) => string): Found {
  for (const rule of rules) {
    const matches = nodes.filter(rule);
    const [only] = matches;
    if (matches.length === 1 && only) return { id: only.id, label: describe(only) };
    if (matches.length > 1) {
      throw new CliError('AMBIGUOUS', `"${ref}" names ${matches.length} ${kind}s: ${matches.map(describe).join(', ')}; give the id`, EXIT.usage);
    }
  }
  throw new CliError('NOT_FOUND', `no ${kind} "${ref}" (give an id, ${kind === 'token' ? 'or a token name' : 'an email or a name'})`);
}
