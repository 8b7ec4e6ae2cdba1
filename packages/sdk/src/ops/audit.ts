import * as G from '../gql/graphql.ts';
import { op } from './op.ts';

/** The audit log (reading it takes `viewAuditLog` on `acct`). */
export const auditOperations = {
  /**
   * Your account's audit log, newest first (a Relay connection; pass `after: pageInfo.endCursor`).
   * @param vars `first`, `after` and a `filter` (actorId, tokenId, action and resource globs with `*`, from/to dates, `q` over the title, outcome)
   * @remarks entries appended while you page never shift the pages you have not read yet.
   */
  auditLog: op(function (vars: G.AuditLogQueryVariables = {}) { return this.request(G.AuditLogDocument, vars).then((d) => d.auditLog); }),
  /** The entries one member made, newest first (null when the member is not in your account). */
  memberAuditLog: op(function (vars: G.MemberAuditLogQueryVariables) { return this.request(G.MemberAuditLogDocument, vars).then((d) => d.member?.auditLog ?? null); }),
  /** The entries made with one access token, newest first (null when you may not view the token). */
  tokenAuditLog: op(function (vars: G.TokenAuditLogQueryVariables) { return this.request(G.TokenAuditLogDocument, vars).then((d) => d.token?.auditLog ?? null); }),
  /**
   * Checks your account's audit log for tampering.
   * @param vars `full: true` checks from the first entry; by default only the entries after the last verified one (the checkpoint)
   * @returns `ok`, the entries checked and the head hash, or the first broken link (`seq`, `entryId`, `reason`)
   */
  verifyAuditLog: op(function (vars: G.VerifyAuditLogQueryVariables = {}) { return this.request(G.VerifyAuditLogDocument, vars).then((d) => d.verifyAuditLog); }),
};
