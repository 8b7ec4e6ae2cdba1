import * as G from '../gql/graphql.js';
import type { LatchkeyClient } from '../client.js';
import { required } from './required.js';

/** The audit log (reading it takes `viewAuditLog` on `acct`). */

/**
 * Your account's audit log, newest first (a Relay connection; pass `after: pageInfo.endCursor`).
 * @param vars `first`, `after` and a `filter` (actorId, tokenId, action and resource globs with `*`, from/to dates, `q` over the title, outcome)
 * @remarks entries appended while you page never shift the pages you have not read yet.
 */
export const auditLog = (lk: LatchkeyClient, vars: G.AuditLogQueryVariables = {}) => lk.request(G.AuditLogDocument, vars).then((d) => required(d.auditLog));
/** The entries one member made, newest first (null when the member is not in your account). */
export const memberAuditLog = (lk: LatchkeyClient, vars: G.MemberAuditLogQueryVariables) => lk.request(G.MemberAuditLogDocument, vars).then((d) => d.member?.auditLog ?? null);
/** The entries made with one access token, newest first (null when you may not view the token). */
export const tokenAuditLog = (lk: LatchkeyClient, vars: G.TokenAuditLogQueryVariables) => lk.request(G.TokenAuditLogDocument, vars).then((d) => d.token?.auditLog ?? null);
/**
 * Checks your account's audit log for tampering.
 * @param vars `full: true` checks from the first entry; by default only the entries after the last verified one (the checkpoint)
 * @returns `ok`, the entries checked and the head hash, or the first broken link (`seq`, `entryId`, `reason`)
 */
export const verifyAuditLog = (lk: LatchkeyClient, vars: G.VerifyAuditLogQueryVariables = {}) => lk.request(G.VerifyAuditLogDocument, vars).then((d) => required(d.verifyAuditLog));
