import { decodeGlobalID } from '@pothos/plugin-relay';
import type { BaseRole, RoleAttributes } from '@latchkey/policy';
import { builder } from '../builder.ts';
import { badInput, notFound } from '../errors.ts';
import type { KeysetPage } from '../store/keyset.ts';

/** Shared GraphQL pieces: enums, role attributes, global ids and keyset connections. */

export const BaseRoleEnum = builder.enumType('BaseRole', {
  values: {
    NO_ACCESS: { value: 'no_access' },
    READER: { value: 'reader' },
    WRITER: { value: 'writer' },
    ADMIN: { value: 'admin' },
    OWNER: { value: 'owner' },
  } as const,
});
export type { BaseRole };

export const RoleAttribute = builder.objectRef<{ key: string; values: readonly string[] }>('RoleAttribute').implement({
  description: 'Values substituted for ${roleAttribute/<key>} in role policies.',
  fields: (t) => ({
    key: t.exposeString('key'),
    values: t.exposeStringList('values'),
  }),
});

export const RoleAttributeInput = builder.inputType('RoleAttributeInput', {
  fields: (t) => ({
    key: t.string({ required: true }),
    values: t.stringList({ required: true }),
  }),
});

export function roleAttributeList(attributes: RoleAttributes): Array<{ key: string; values: readonly string[] }> {
  return Object.entries(attributes).map(([key, values]) => ({ key, values }));
}

/** The raw id inside a global id of the given type; anything else is NOT_FOUND (never a hint). */
export function rawId(globalId: string, typename: string): string {
  try {
    const decoded = decodeGlobalID(globalId);
    if (decoded.typename === typename && decoded.id) return decoded.id;
  } catch {
    // fall through: malformed ids are simply not found
  }
  throw notFound(typename);
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;


interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

const encodeCursor = (id: string) => Buffer.from(id).toString('base64url');
const decodeCursor = (field: string, cursor: string | null | undefined) => {
  if (cursor === null || cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!/^[0-9a-z]{1,64}$/.test(id)) throw badInput(field, 'is not a cursor from this list');
  return id;
};

function pageSize(field: string, value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) throw badInput(field, `must be between 0 and ${MAX_PAGE_SIZE}`);
  return value;
}

/**
 * A Relay connection by keyset (cursor) pagination over time-ordered ids: never OFFSET.
 * `load` returns at most `limit` rows of the list's natural order starting after/before the cursor
 * (reversed when `inverted`); one extra row is asked for to know whether another page exists.
 */
export function keysetConnection<T extends { id: string }>(args: ConnectionArgs, load: (page: KeysetPage) => T[]) {
  const first = pageSize('first', args.first);
  const last = pageSize('last', args.last);
  if (first !== undefined && last !== undefined) throw badInput('last', 'give either first or last, not both');
  const inverted = last !== undefined;
  const size = (inverted ? last : first) ?? DEFAULT_PAGE_SIZE;
  const rows = load({
    after: decodeCursor('after', args.after),
    before: decodeCursor('before', args.before),
    limit: size + 1,
    inverted,
  });
  const hasMore = rows.length > size;
  const page = rows.slice(0, size);
  if (inverted) page.reverse();
  const edges = page.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: inverted ? args.before !== null && args.before !== undefined : hasMore,
      hasPreviousPage: inverted ? hasMore : args.after !== null && args.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
