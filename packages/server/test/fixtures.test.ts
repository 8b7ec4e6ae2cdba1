import { describe, expect, it } from 'vitest';
import { addAccount, addCustomRole, addMember, setupServer } from './helpers.ts';

describe('test fixtures', () => {
  it('adds a logged-in member with custom roles, and a second account', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'flags', policy: [{ effect: 'allow', actions: ['updateOn'], resources: ['proj/*:env/*:flag/*'] }] });
    const writer = await addMember(server, { role: 'writer', customRoleKeys: ['flags'] });
    const res = await server.gql<{ viewer: { member: { id: string; role: string } } }>('{ viewer { member { id role } } }', {}, { auth: writer.session });
    expect(res.body.data?.viewer.member).toEqual({ id: writer.globalId, role: 'WRITER' });
    const other = await addAccount(server);
    const members = await server.gql<{ members: { edges: unknown[] } }>('{ members { edges { node { id } } } }', {}, { auth: other.owner.session });
    expect(members.body.data?.members.edges).toHaveLength(1);
  });
});
