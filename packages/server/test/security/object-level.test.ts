import { beforeAll, expect, it } from 'vitest';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { newId } from '../../src/ids.ts';
import { setupServer } from '../helpers.ts';
import { accountChecksum, accountIdentifiers, answerOf, leakedIdentifiers, withRollback } from './harness.ts';
import { buildFixture, rawIdOf, type Fixture } from './fixture.ts';
import { sqliteOf } from '../../src/app.ts';
import { describeSqlite } from '../backend.ts';

/**
 * Broken object-level authorization (OWASP API1): account A's ids and keys used from account B
 * answer exactly like ids and keys that exist nowhere — same HTTP status, code, message (the probe
 * value itself aside) and data — so B learns nothing about A, and nothing of A changes.
 */

let fx: Fixture;
let idsOfA: Set<string>;
beforeAll(async () => {
  fx = await buildFixture(await setupServer());
  idsOfA = accountIdentifiers(fx.server, fx.accountA);
}, 60_000);

interface Probe {
  name: string;
  document: string;
  /** Variables for a probe value (one of A's, or one that exists nowhere). */
  variables: (value: string) => Record<string, unknown>;
  /** One of account A's values, and one of the same shape that does not exist. */
  values: (fx: Fixture) => { ofA: string; nowhere: string };
}

const id = (typename: string, raw: string) => encodeGlobalID(typename, raw);
const nowhere = (typename: string) => id(typename, newId());
const byId = (typename: string, ofA: (fx: Fixture) => string) => (f: Fixture) => ({ ofA: ofA(f), nowhere: nowhere(typename) });
const byKey = (ofA: string) => () => ({ ofA, nowhere: `nowhere-${newId().slice(-6)}` });

function rowId(fx: Fixture, sql: string): string {
  const row = sqliteOf(fx.server.app).prepare(sql).get(fx.accountA) as { id: string } | undefined;
  if (!row) throw new Error(`no row for ${sql}`);
  return row.id;
}

const tokenA = byId('Token', (f) => f.writerToken.id);
const memberA = byId('Member', (f) => id('Member', f.target.id));

const PROBES: Probe[] = [
  // tokens
  { name: 'token(id)', document: 'query($v: ID!) { token(id: $v) { id } }', variables: (v) => ({ v }), values: tokenA },
  { name: 'updateToken', document: 'mutation($v: ID!) { updateToken(input: { id: $v, name: "x" }) { token { id } } }', variables: (v) => ({ v }), values: tokenA },
  { name: 'cloneToken', document: 'mutation($v: ID!) { cloneToken(input: { id: $v }) { secret } }', variables: (v) => ({ v }), values: tokenA },
  { name: 'resetToken', document: 'mutation($v: ID!) { resetToken(input: { id: $v }) { secret } }', variables: (v) => ({ v }), values: tokenA },
  { name: 'deleteToken', document: 'mutation($v: ID!) { deleteToken(input: { id: $v }) { deletedTokenId } }', variables: (v) => ({ v }), values: tokenA },
  { name: 'checkAccess(tokenId)', document: 'query($v: ID!) { checkAccess(action: "viewProject", resource: "proj/x", tokenId: $v) { allowed } }', variables: (v) => ({ v }), values: tokenA },
  { name: 'auditLog(filter.tokenId)', document: 'query($v: ID!) { auditLog(first: 5, filter: { tokenId: $v }) { edges { cursor } } }', variables: (v) => ({ v }), values: tokenA },
  { name: 'node(Token)', document: 'query($v: ID!) { node(id: $v) { id } }', variables: (v) => ({ v }), values: tokenA },
  // members
  { name: 'member(id)', document: 'query($v: ID!) { member(id: $v) { id } }', variables: (v) => ({ v }), values: memberA },
  { name: 'updateMember', document: 'mutation($v: ID!) { updateMember(input: { id: $v, role: ADMIN }) { member { id } } }', variables: (v) => ({ v }), values: memberA },
  { name: 'removeMember', document: 'mutation($v: ID!) { removeMember(input: { id: $v }) { removedMemberId } }', variables: (v) => ({ v }), values: memberA },
  { name: 'createTeam(memberIds)', document: 'mutation($v: ID!) { createTeam(input: { key: "probe-team", name: "T", memberIds: [$v] }) { team { id } } }', variables: (v) => ({ v }), values: memberA },
  { name: 'auditLog(filter.actorId)', document: 'query($v: ID!) { auditLog(first: 5, filter: { actorId: $v }) { edges { cursor } } }', variables: (v) => ({ v }), values: memberA },
  { name: 'node(Member)', document: 'query($v: ID!) { node(id: $v) { id } }', variables: (v) => ({ v }), values: memberA },
  // custom roles
  { name: 'role(key)', document: 'query($v: String!) { role(key: $v) { id } }', variables: (v) => ({ v }), values: byKey('target-role') },
  { name: 'updateRole', document: 'mutation($v: String!) { updateRole(input: { key: $v, name: "x" }) { role { id } } }', variables: (v) => ({ v }), values: byKey('target-role') },
  { name: 'deleteRole', document: 'mutation($v: String!) { deleteRole(input: { key: $v }) { deletedRoleKey } }', variables: (v) => ({ v }), values: byKey('target-role') },
  { name: 'createToken(customRoleKeys)', document: 'mutation($v: String!) { createToken(input: { name: "x", customRoleKeys: [$v] }) { secret } }', variables: (v) => ({ v }), values: byKey('limited') },
  { name: 'inviteMember(customRoleKeys)', document: 'mutation($v: String!) { inviteMember(input: { email: "probe@b.test", role: READER, customRoleKeys: [$v] }) { inviteCode } }', variables: (v) => ({ v }), values: byKey('limited') },
  { name: 'node(CustomRole)', document: 'query($v: ID!) { node(id: $v) { id } }', variables: (v) => ({ v }), values: byId('CustomRole', (f) => id('CustomRole', rowId(f, "SELECT id FROM custom_roles WHERE account_id = ? AND key = 'target-role'"))) },
  // teams
  { name: 'team(key)', document: 'query($v: String!) { team(key: $v) { id } }', variables: (v) => ({ v }), values: byKey('squad') },
  { name: 'updateTeam', document: 'mutation($v: String!) { updateTeam(input: { key: $v, name: "x" }) { team { id } } }', variables: (v) => ({ v }), values: byKey('squad') },
  { name: 'deleteTeam', document: 'mutation($v: String!) { deleteTeam(input: { key: $v }) { deletedTeamKey } }', variables: (v) => ({ v }), values: byKey('squad') },
  { name: 'node(Team)', document: 'query($v: ID!) { node(id: $v) { id } }', variables: (v) => ({ v }), values: byId('Team', (f) => id('Team', rowId(f, 'SELECT id FROM teams WHERE account_id = ?'))) },
  // projects, environments, flags
  { name: 'project(key)', document: 'query($v: String!) { project(key: $v) { id } }', variables: (v) => ({ v }), values: byKey('alpha') },
  { name: 'createEnvironment', document: 'mutation($v: String!) { createEnvironment(input: { projectKey: $v, key: "e", name: "E" }) { environment { id } } }', variables: (v) => ({ v }), values: byKey('alpha') },
  { name: 'createFlag', document: 'mutation($v: String!) { createFlag(input: { projectKey: $v, key: "f", name: "F" }) { flag { id } } }', variables: (v) => ({ v }), values: byKey('alpha') },
  { name: 'updateFlag', document: 'mutation($v: String!) { updateFlag(input: { projectKey: $v, flagKey: "f1", name: "x" }) { flag { id } } }', variables: (v) => ({ v }), values: byKey('alpha') },
  { name: 'setFlagOn', document: 'mutation($v: String!) { setFlagOn(input: { projectKey: $v, environmentKey: "test", flagKey: "f1", on: true }) { flag { id } } }', variables: (v) => ({ v }), values: byKey('alpha') },
  { name: 'deleteFlag', document: 'mutation($v: String!) { deleteFlag(input: { projectKey: $v, flagKey: "f1" }) { deletedFlagKey } }', variables: (v) => ({ v }), values: byKey('alpha') },
  { name: 'node(Project)', document: 'query($v: ID!) { node(id: $v) { id } }', variables: (v) => ({ v }), values: byId('Project', (f) => id('Project', rowId(f, 'SELECT id FROM projects WHERE account_id = ?'))) },
  {
    name: 'node(Environment)',
    document: 'query($v: ID!) { node(id: $v) { id } }',
    variables: (v) => ({ v }),
    values: byId('Environment', (f) => id('Environment', rowId(f, 'SELECT e.id FROM environments e JOIN projects p ON p.id = e.project_id WHERE p.account_id = ?'))),
  },
  {
    name: 'node(Flag)',
    document: 'query($v: ID!) { node(id: $v) { id } }',
    variables: (v) => ({ v }),
    values: byId('Flag', (f) => id('Flag', rowId(f, 'SELECT x.id FROM flags x JOIN projects p ON p.id = x.project_id WHERE p.account_id = ?'))),
  },
  // audit entries, sessions, the account
  {
    name: 'node(AuditEntry)',
    document: 'query($v: ID!) { node(id: $v) { id } }',
    variables: (v) => ({ v }),
    values: byId('AuditEntry', (f) => id('AuditEntry', rowId(f, 'SELECT id FROM audit_entries WHERE account_id = ? ORDER BY seq DESC'))),
  },
  {
    name: 'auditLog(after: an entry of A)',
    document: 'query($v: String!) { auditLog(first: 5, after: $v) { edges { cursor } } }',
    variables: (v) => ({ v }),
    values: (f) => ({
      ofA: Buffer.from(rowId(f, 'SELECT id FROM audit_entries WHERE account_id = ? ORDER BY seq DESC')).toString('base64url'),
      nowhere: Buffer.from(newId()).toString('base64url'),
    }),
  },
  { name: 'revokeSession', document: 'mutation($v: ID!) { revokeSession(id: $v) }', variables: (v) => ({ v }), values: (f) => ({ ofA: f.ownerSessionId, nowhere: nowhere('Session') }) },
  { name: 'node(Account)', document: 'query($v: ID!) { node(id: $v) { id } }', variables: (v) => ({ v }), values: (f) => ({ ofA: id('Account', f.accountA), nowhere: nowhere('Account') }) },
];

/** The answer with the probe value (raw and global forms) replaced, so two probes can be compared. */
function normalized(answer: ReturnType<typeof answerOf>, value: string): string {
  let text = JSON.stringify(answer);
  const forms = [value];
  try {
    forms.push(rawIdOf(value));
  } catch {
    // a key, not a global id
  }
  for (const form of forms.filter((f) => f.length > 0)) text = text.split(form).join('<probe>');
  return text;
}

// SQLite only: checksums account A's SQLite rows and rolls each probe back on the SQLite writer
describeSqlite("account A's ids and keys from account B", () => {
  it('every probe covers something real in A (the fixture holds what the probes name)', () => {
    for (const probe of PROBES) expect(probe.values(fx).ofA.length).toBeGreaterThan(0);
  });

  for (const probe of PROBES) {
    it(`${probe.name}: answers like a value that exists nowhere, and changes nothing in A`, async () => {
      const { server } = fx;
      const { ofA, nowhere: absent } = probe.values(fx);
      const before = accountChecksum(server, fx.accountA);
      for (const auth of [fx.foreign.session, fx.foreign.token]) {
        const answers = await withRollback(server, async () => {
          const real = await server.gql(probe.document, probe.variables(ofA), { auth });
          const changed = accountChecksum(server, fx.accountA) !== before;
          const fake = await server.gql(probe.document, probe.variables(absent), { auth });
          return { real: answerOf(real), fake: answerOf(fake), body: real.body, changed };
        });
        expect(answers.changed).toBe(false);
        expect(normalized(answers.real, ofA)).toBe(normalized(answers.fake, absent));
        // Nothing of A shows, but the probe itself (a FORBIDDEN message may name the resource asked for).
        const probeForms = new Set([ofA, ...(idsOfA.has(ofA) ? [rawIdOf(ofA)] : [])]);
        expect(leakedIdentifiers(answers.body, idsOfA).filter((leaked) => !probeForms.has(leaked))).toEqual([]);
      }
    });
  }
});
