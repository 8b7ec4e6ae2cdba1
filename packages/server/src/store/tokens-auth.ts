import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { one } from './rows.ts';
import { prepared } from './prepared.ts';
import { type MemberRow } from '../db/schema/members.ts';
import { members } from '../db/tables.ts';
import { type CustomRoleRow } from '../db/schema/roles.ts';
import { customRoles } from '../db/tables.ts';
import { type TokenRow, type TokenSecretRow } from '../db/schema/tokens.ts';
import { tokenCustomRoles, tokenSecrets, tokens } from '../db/tables.ts';

export interface TokenBySecret {
  secret: TokenSecretRow;
  token: TokenRow;
  owner: MemberRow;
}

/** The token a secret digest belongs to (one indexed lookup by primary key, then joins). */
export async function findTokenBySecretHash(db: DbOrTx, secretHash: string): Promise<TokenBySecret | undefined> {
  const query = prepared(db, 'findTokenBySecretHash', (d) =>
    d
      .select({ secret: tokenSecrets, token: tokens, owner: members })
      .from(tokenSecrets)
      .innerJoin(tokens, eq(tokens.id, tokenSecrets.tokenId))
      .innerJoin(members, eq(members.id, tokens.ownerId))
      .where(eq(tokenSecrets.secretHash, sql.placeholder('secretHash')))
      .prepare(),
  );
  return one(await query.execute({ secretHash }));
}

export async function customRolesOfToken(db: DbOrTx, tokenId: string): Promise<CustomRoleRow[]> {
  const query = prepared(db, 'customRolesOfToken', (d) =>
    d
      .select({ role: customRoles })
      .from(tokenCustomRoles)
      .innerJoin(customRoles, eq(customRoles.id, tokenCustomRoles.roleId))
      .where(eq(tokenCustomRoles.tokenId, sql.placeholder('tokenId')))
      .orderBy(customRoles.key)
      .prepare(),
  );
  return (await query.execute({ tokenId })).map((r) => r.role);
}
