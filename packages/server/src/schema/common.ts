import { decodeGlobalID } from '@pothos/plugin-relay';
import type { BaseRole, RoleAttributes } from '@latchkey/policy';
import { builder } from '../builder.ts';
import { badInput, notFound } from '../errors.ts';
import type { KeysetPage } from '../store/keyset.ts';
import { isPlausibleId } from '../ids.ts';
import { DEFAULT_PAGE_SIZE, pageSizeArg } from '../graphql-limits.ts';

/** Shared GraphQL pieces: enums, role attributes, global ids and keyset connections. */

export const BaseRoleEnum = builder.enumType('BaseRole', {
  description: "A built-in role (LaunchDarkly's): a member's base permissions, or a token's scope.",
  values: {
    NO_ACCESS: { value: 'no_access', description: 'Nothing beyond what custom roles give.' },
    READER: { value: 'reader', description: 'Read everything in the account; change nothing.' },
    WRITER: { value: 'writer', description: 'Reader, plus change projects, environments and flags.' },
    ADMIN: { value: 'admin', description: 'Everything except the owner-only actions (updateServiceTokenLimit, making or demoting owners).' },
    OWNER: { value: 'owner', description: 'Everything, including the owner-only actions.' },
  } as const,
});
export type { BaseRole };

export const RoleAttribute = builder.objectRef<{ key: string; values: readonly string[] }>('RoleAttribute').implement({
  description: 'Values substituted for ${roleAttribute/<key>} in role policies.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The attribute name, as in ${roleAttribute/<key>}.' }),
    values: t.exposeStringList('values', { description: 'The values it stands for (a statement with it applies to each).' }),
  }),
});

export const RoleAttributeInput = builder.inputType('RoleAttributeInput', {
  description: 'Values for ${roleAttribute/<key>} in role policies; each key once.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'The attribute name (letters, digits, ".", "_", "-").' }),
    values: t.stringList({ required: true, description: 'The values it stands for.' }),
  }),
});

export function roleAttributeList(attributes: RoleAttributes): Array<{ key: string; values: readonly string[] }> {
  return Object.entries(attributes).map(([key, values]) => ({ key, values }));
}

/** The raw id inside a global id of the given type; anything else is NOT_FOUND (never a hint). */
export function rawId(globalId: string, typename: string): string {
  try {
    const decoded = decodeGlobalID(globalId);
    if (decoded.typename === typename && isPlausibleId(decoded.id)) return decoded.id;
  } catch {
    // fall through: malformed ids are simply not found
  }
  throw notFound(typename);
}

export { MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from '../graphql-limits.ts';

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * A cursor names its list and a row: `<list>:<raw id>`, base64url. A cursor of another list (or
 * not a cursor at all) is BAD_USER_INPUT, never a silently wrong page.
 */
const encodeCursor = (list: string, id: string) => Buffer.from(`${list}:${id}`).toString('base64url');
const decodeCursor = (list: string, field: string, cursor: string | null | undefined) => {
  if (cursor === null || cursor === undefined) return undefined;
  const [name, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (name !== list || id === undefined || rest.length > 0 || !/^[0-9a-z]{1,64}$/.test(id)) throw badInput(field, `is not a cursor from this list (${list})`);
  return id;
};

/** How many rows a list holds, walked in batches through the same loader (so visibility rules apply). */
async function countAll<T extends { id: string }>(load: (page: KeysetPage) => Promise<T[]>): Promise<number> {
  const BATCH = 500;
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const rows = await load({ after, limit: BATCH, inverted: false });
    count += rows.length;
    const last = rows[rows.length - 1];
    if (rows.length < BATCH || !last) return count;
    after = last.id;
  }
}

/**
 * A Relay connection by keyset (cursor) pagination over time-ordered ids: never OFFSET.
 * `load` returns at most `limit` rows of the list's natural order starting after/before the cursor
 * (reversed when `inverted`); one extra row is asked for to know whether another page exists.
 */
export async function keysetConnection<T extends { id: string }>(list: string, args: ConnectionArgs, load: (page: KeysetPage) => Promise<T[]>) {
  const first = pageSizeArg('first', args.first);
  const last = pageSizeArg('last', args.last);
  if (first !== undefined && last !== undefined) throw badInput('last', 'give either first or last, not both');
  const inverted = last !== undefined;
  const size = (inverted ? last : first) ?? DEFAULT_PAGE_SIZE;
  const rows = await load({
    after: decodeCursor(list, 'after', args.after),
    before: decodeCursor(list, 'before', args.before),
    limit: size + 1,
    inverted,
  });
  const hasMore = rows.length > size;
  const page = rows.slice(0, size);
  if (inverted) page.reverse();
  const edges = page.map((node) => ({ cursor: encodeCursor(list, node.id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: inverted ? args.before !== null && args.before !== undefined : hasMore,
      hasPreviousPage: inverted ? hasMore : args.after !== null && args.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: () => countAll(load),
  };
}
