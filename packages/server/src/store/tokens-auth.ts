import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { prepared } from './prepared.ts';
import { members, type MemberRow } from '../db/schema/members.ts';
import { customRoles, type CustomRoleRow } from '../db/schema/roles.ts';
import { tokenCustomRoles, tokenSecrets, tokens, type TokenRow, type TokenSecretRow } from '../db/schema/tokens.ts';

export interface TokenBySecret {
  secret: TokenSecretRow;
  token: TokenRow;
  owner: MemberRow;
}

/** The token a secret digest belongs to (one indexed lookup by primary key, then joins). */
export function findTokenBySecretHash(db: DbOrTx, secretHash: string): TokenBySecret | undefined {
  const query = prepared(db, 'findTokenBySecretHash', (d) =>
    d
      .select({ secret: tokenSecrets, token: tokens, owner: members })
      .from(tokenSecrets)
      .innerJoin(tokens, eq(tokens.id, tokenSecrets.tokenId))
      .innerJoin(members, eq(members.id, tokens.ownerId))
      .where(eq(tokenSecrets.secretHash, sql.placeholder('secretHash')))
      .prepare(),
  );
  return query.get({ secretHash });
}

export function customRolesOfToken(db: DbOrTx, tokenId: string): CustomRoleRow[] {
  const query = prepared(db, 'customRolesOfToken', (d) =>
    d
      .select({ role: customRoles })
      .from(tokenCustomRoles)
      .innerJoin(customRoles, eq(customRoles.id, tokenCustomRoles.roleId))
      .where(eq(tokenCustomRoles.tokenId, sql.placeholder('tokenId')))
      .orderBy(customRoles.key)
      .prepare(),
  );
  return query.all({ tokenId }).map((r) => r.role);
}
