import type { LatchkeyClient } from './client.ts';
import { operations, type Operations } from './operations.ts';

/**
 * Every operation as a standalone typed function taking the client first, for code that prefers
 * functions to methods (and for tree-shaking in frontends):
 *
 * ```ts
 * import { createClient, createToken } from '@latchkey/sdk';
 * const { token, secret } = await createToken(createClient({ url, token: session }), { name: 'ci', role: 'READER' });
 * ```
 */
type Standalone = {
  [K in keyof Operations]: (
    client: LatchkeyClient,
    ...args: Parameters<OmitThisParameter<Operations[K]>>
  ) => ReturnType<OmitThisParameter<Operations[K]>>;
};

function standalone(): Standalone {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(operations)) {
    out[name] = (client: LatchkeyClient, ...args: unknown[]) => (fn as (this: LatchkeyClient, ...a: unknown[]) => unknown).apply(client, args);
  }
  return out as Standalone;
}

export const sdk = standalone();

export const {
  // sessions, viewer, account
  login, signUp, logout, revokeSession, sessions, viewer, apiVersions, member, members, account, updateAccount,
  // access tokens
  createToken, updateToken, cloneToken, resetToken, deleteToken, token, tokens, memberTokens, viewerToken,
  // members, roles, teams
  inviteMember, acceptInvite, updateMember, removeMember, memberAccess,
  createRole, updateRole, deleteRole, role, roles,
  createTeam, updateTeam, deleteTeam, team, teams,
  // projects, environments, flags
  createProject, createEnvironment, createFlag, updateFlag, setFlagOn, deleteFlag, project, projects, flagStates,
  // decisions and audit
  checkAccess, auditLog, memberAuditLog, tokenAuditLog, verifyAuditLog,
} = sdk;
