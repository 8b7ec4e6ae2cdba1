import { describe, expect, it } from 'vitest';
import { addAccount, addCustomRole, addMember, setupServer } from './helpers.ts';
import {
  auditCount,
  CREATE_ENVIRONMENT,
  CREATE_FLAG,
  CREATE_PROJECT,
  createFlag,
  createProject,
  DELETE_FLAG,
  fails,
  flagIsOn,
  GET_PROJECT,
  LIST_PROJECTS,
  ok,
  rowCount,
  setFlagOn,
} from './scenarios-helpers.ts';
import { sqliteOf } from '../src/app.ts';
import { itSqlite } from './backend.ts';

interface ProjectData {
  id: string;
  key: string;
  name: string;
  tags: string[];
  environments: Array<{ id: string; key: string; name: string; tags: string[] }>;
  flags: Array<{ id: string; key: string; name: string }>;
}

const UPDATE_FLAG = 'mutation($input: UpdateFlagInput!) { updateFlag(input: $input) { flag { key name description } } }';

describe('projects, environments and flags', () => {
  it('createProject also creates the environments production and test', async () => {
    const server = await setupServer();
    const data = await ok<{ createProject: { project: ProjectData } }>(server, server.owner, CREATE_PROJECT, {
      input: { key: 'web', name: 'Web', tags: ['mobile', 'frontend'] },
    });
    expect(data.createProject.project).toMatchObject({ key: 'web', name: 'Web', tags: ['mobile', 'frontend'], flags: [] });
    expect(data.createProject.project.environments.map((e) => e.key)).toEqual(['production', 'test']);
    const read = await ok<{ project: ProjectData }>(server, server.owner, GET_PROJECT, { key: 'web' });
    expect(read.project.id).toBe(data.createProject.project.id);
  });

  it('a flag is off everywhere when created and has an on/off state per environment', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    const created = await createFlag(server, server.owner, 'web', 'new-ui');
    expect(created).toMatchObject({ createFlag: { flag: { key: 'new-ui', production: false, test: false } } });
    const on = await setFlagOn(server, server.owner, 'web', 'test', 'new-ui', true);
    expect(on.body.data?.setFlagOn.flag).toEqual({ key: 'new-ui', on: true });
    expect(await flagIsOn(server, server.owner, 'web', 'new-ui', 'test')).toBe(true);
    expect(await flagIsOn(server, server.owner, 'web', 'new-ui', 'production')).toBe(false);
    await setFlagOn(server, server.owner, 'web', 'test', 'new-ui', false);
    expect(await flagIsOn(server, server.owner, 'web', 'new-ui', 'test')).toBe(false);
  });

  it('createEnvironment adds an environment with tags; flags get a state there too', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await createFlag(server, server.owner, 'web', 'f');
    const env = await ok<{ createEnvironment: { environment: { key: string; tags: string[] } } }>(server, server.owner, CREATE_ENVIRONMENT, {
      input: { projectKey: 'web', key: 'staging', name: 'Staging', tags: ['qa'] },
    });
    expect(env.createEnvironment.environment).toMatchObject({ key: 'staging', tags: ['qa'] });
    await setFlagOn(server, server.owner, 'web', 'staging', 'f', true);
    expect(await flagIsOn(server, server.owner, 'web', 'f', 'staging')).toBe(true);
  });

  it('deleteFlag removes the flag and its states', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await createFlag(server, server.owner, 'web', 'old');
    await setFlagOn(server, server.owner, 'web', 'production', 'old', true);
    const res = await ok<{ deleteFlag: { deletedFlagKey: string } }>(server, server.owner, DELETE_FLAG, { input: { projectKey: 'web', flagKey: 'old' } });
    expect(res.deleteFlag.deletedFlagKey).toBe('old');
    expect(await rowCount(server, 'flag_states')).toBe(0);
    await fails(server, server.owner, 'NOT_FOUND', DELETE_FLAG, { input: { projectKey: 'web', flagKey: 'old' } });
  });

  it('updateFlag renames a flag', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await createFlag(server, server.owner, 'web', 'f');
    const res = await ok<{ updateFlag: { flag: { name: string; description: string } } }>(server, server.owner, UPDATE_FLAG, {
      input: { projectKey: 'web', flagKey: 'f', name: 'Feature', description: 'Shows the feature' },
    });
    expect(res.updateFlag.flag).toEqual({ key: 'f', name: 'Feature', description: 'Shows the feature' });
  });

  it('keys are unique (CONFLICT) and unknown projects, environments and flags are NOT_FOUND', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await createFlag(server, server.owner, 'web', 'f');
    await fails(server, server.owner, 'CONFLICT', CREATE_PROJECT, { input: { key: 'web', name: 'Again' } });
    await fails(server, server.owner, 'CONFLICT', CREATE_ENVIRONMENT, { input: { projectKey: 'web', key: 'test', name: 'Again' } });
    await fails(server, server.owner, 'CONFLICT', CREATE_FLAG, { input: { projectKey: 'web', key: 'f', name: 'Again' } });
    await fails(server, server.owner, 'NOT_FOUND', GET_PROJECT, { key: 'nope' });
    await fails(server, server.owner, 'NOT_FOUND', CREATE_FLAG, { input: { projectKey: 'nope', key: 'f', name: 'F' } });
    expect(errorOf(await setFlagOn(server, server.owner, 'web', 'nope', 'f'))).toBe('NOT_FOUND');
    expect(errorOf(await setFlagOn(server, server.owner, 'web', 'test', 'nope'))).toBe('NOT_FOUND');
  });

  it('bad keys, names and tags are BAD_USER_INPUT and write nothing', async () => {
    const server = await setupServer();
    const before = [await rowCount(server, 'projects'), await rowCount(server, 'environments')];
    const key = await fails(server, server.owner, 'BAD_USER_INPUT', CREATE_PROJECT, { input: { key: 'proj/x', name: 'X' } });
    expect(key.extensions.field).toBe('key');
    const tags = await fails(server, server.owner, 'BAD_USER_INPUT', CREATE_PROJECT, { input: { key: 'x', name: 'X', tags: ['ok', 'not ok'] } });
    expect(tags.extensions.field).toBe('tags');
    const name = await fails(server, server.owner, 'BAD_USER_INPUT', CREATE_PROJECT, { input: { key: 'x', name: '' } });
    expect(name.extensions.field).toBe('name');
    expect([await rowCount(server, 'projects'), await rowCount(server, 'environments')]).toEqual(before);
  });

  // SQLite only: reads the raw audit columns with SQL
  itSqlite('every change is audited with its resource specifier', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await createFlag(server, server.owner, 'web', 'f');
    await setFlagOn(server, server.owner, 'web', 'test', 'f', true);
    const rows = sqliteOf(server.app)
      .prepare("select action, resource, changes from audit_entries where action in ('createProject','createFlag','updateOn') order by seq")
      .all();
    expect(rows).toEqual([
      expect.objectContaining({ action: 'createProject', resource: 'proj/web' }),
      expect.objectContaining({ action: 'createFlag', resource: 'proj/web:env/*:flag/f' }),
      { action: 'updateOn', resource: 'proj/web:env/test:flag/f', changes: JSON.stringify({ on: { before: false, after: true } }) },
    ]);
  });
});

describe('each operation is checked against its resource specifier', () => {
  it('readers see projects but change nothing; writers change them', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await createFlag(server, server.owner, 'web', 'f');
    const reader = await addMember(server, { role: 'reader' });
    const writer = await addMember(server, { role: 'writer' });
    await ok(server, reader.session, GET_PROJECT, { key: 'web' });
    const create = await fails(server, reader.session, 'FORBIDDEN', CREATE_PROJECT, { input: { key: 'r', name: 'R' } });
    expect(create.extensions).toMatchObject({ action: 'createProject', resource: 'proj/r' });
    const toggle = await setFlagOn(server, reader.session, 'web', 'test', 'f');
    expect(toggle.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', action: 'updateOn', resource: 'proj/web:env/test:flag/f' });
    await createProject(server, writer.session, 'w');
    expect((await setFlagOn(server, writer.session, 'web', 'test', 'f')).body.errors).toBeUndefined();
  });

  it('createEnvironment is checked on proj/<p>:env/<e> with both tags', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web', ['mobile']);
    await createProject(server, server.owner, 'api');
    await addCustomRole(server, {
      key: 'qa-envs',
      policy: [{ effect: 'allow', actions: ['createEnvironment'], resources: ['proj/*;mobile:env/*;qa'] }],
    });
    const m = await addMember(server, { role: 'reader', customRoleKeys: ['qa-envs'] });
    await ok(server, m.session, CREATE_ENVIRONMENT, { input: { projectKey: 'web', key: 'qa1', name: 'QA', tags: ['qa'] } });
    const untagged = await fails(server, m.session, 'FORBIDDEN', CREATE_ENVIRONMENT, { input: { projectKey: 'web', key: 'dev', name: 'Dev' } });
    expect(untagged.extensions).toMatchObject({ action: 'createEnvironment', resource: 'proj/web:env/dev' });
    await fails(server, m.session, 'FORBIDDEN', CREATE_ENVIRONMENT, { input: { projectKey: 'api', key: 'qa1', name: 'QA', tags: ['qa'] } });
  });

  it('tag-filtered specifiers: proj/*;mobile covers only projects tagged mobile', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'ios', ['mobile']);
    await createProject(server, server.owner, 'site', ['web']);
    for (const p of ['ios', 'site']) await createFlag(server, server.owner, p, 'f');
    await addCustomRole(server, {
      key: 'mobile-dev',
      policy: [
        { effect: 'allow', actions: ['viewProject'], resources: ['proj/*;mobile'] },
        { effect: 'allow', actions: ['updateOn'], resources: ['proj/*;mobile:env/*:flag/*'] },
      ],
    });
    const m = await addMember(server, { role: 'no_access', customRoleKeys: ['mobile-dev'] });
    expect((await setFlagOn(server, m.session, 'ios', 'production', 'f')).body.errors).toBeUndefined();
    expect(errorOf(await setFlagOn(server, m.session, 'site', 'production', 'f'))).toBe('FORBIDDEN');
    await ok(server, m.session, GET_PROJECT, { key: 'ios' });
    const hidden = await fails(server, m.session, 'FORBIDDEN', GET_PROJECT, { key: 'site' });
    expect(hidden.extensions.action).toBe('viewProject');
    const list = await ok<{ projects: { edges: Array<{ node: { key: string } }> } }>(server, m.session, LIST_PROJECTS);
    expect(list.projects.edges.map((e) => e.node.key)).toEqual(['ios']);
  });

  it('all-of tag filters: proj/*;mobile,beta needs both tags', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'both', ['mobile', 'beta']);
    await createProject(server, server.owner, 'one', ['mobile']);
    await addCustomRole(server, { key: 'see', policy: [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*;mobile,beta'] }] });
    const m = await addMember(server, { role: 'no_access', customRoleKeys: ['see'] });
    const list = await ok<{ projects: { edges: Array<{ node: { key: string } }> } }>(server, m.session, LIST_PROJECTS);
    expect(list.projects.edges.map((e) => e.node.key)).toEqual(['both']);
  });

  it('project-wide flag operations need every environment: a deny in production refuses createFlag, updateFlag and deleteFlag', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await createFlag(server, server.owner, 'web', 'existing');
    await addCustomRole(server, {
      key: 'not-prod',
      policy: [
        { effect: 'allow', actions: ['*'], resources: ['proj/*:env/*:flag/*'] },
        { effect: 'deny', actions: ['*'], resources: ['proj/*:env/production:flag/*'] },
      ],
    });
    const m = await addMember(server, { role: 'reader', customRoleKeys: ['not-prod'] });
    // Per-environment: allowed in test, refused in production.
    expect((await setFlagOn(server, m.session, 'web', 'test', 'existing')).body.errors).toBeUndefined();
    expect(errorOf(await setFlagOn(server, m.session, 'web', 'production', 'existing'))).toBe('FORBIDDEN');
    // Project-wide: refused, naming the production environment.
    const audits = await auditCount(server);
    const create = await fails(server, m.session, 'FORBIDDEN', CREATE_FLAG, { input: { projectKey: 'web', key: 'new', name: 'New' } });
    expect(create.extensions).toMatchObject({ action: 'createFlag', resource: 'proj/web:env/production:flag/new' });
    const del = await fails(server, m.session, 'FORBIDDEN', DELETE_FLAG, { input: { projectKey: 'web', flagKey: 'existing' } });
    expect(del.extensions).toMatchObject({ action: 'deleteFlag', resource: 'proj/web:env/production:flag/existing' });
    const rename = await fails(server, m.session, 'FORBIDDEN', UPDATE_FLAG, { input: { projectKey: 'web', flagKey: 'existing', name: 'Renamed' } });
    expect(rename.extensions.action).toBe('updateName');
    expect(await auditCount(server)).toBe(audits);
    const project = await ok<{ project: ProjectData }>(server, server.owner, GET_PROJECT, { key: 'web' });
    expect(project.project.flags.map((f) => [f.key, f.name])).toEqual([['existing', 'existing']]);
    // The same role without the production deny can do all three.
    const writer = await addMember(server, { role: 'writer' });
    await ok(server, writer.session, CREATE_FLAG, { input: { projectKey: 'web', key: 'new', name: 'New' } });
    await ok(server, writer.session, DELETE_FLAG, { input: { projectKey: 'web', flagKey: 'new' } });
  });

  it('a new environment joins the project-wide check at once', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await addCustomRole(server, { key: 'known-envs', policy: [{ effect: 'allow', actions: ['createFlag'], resources: ['proj/web:env/production:flag/*', 'proj/web:env/test:flag/*'] }] });
    const m = await addMember(server, { role: 'reader', customRoleKeys: ['known-envs'] });
    await ok(server, m.session, CREATE_FLAG, { input: { projectKey: 'web', key: 'a', name: 'A' } });
    await ok(server, server.owner, CREATE_ENVIRONMENT, { input: { projectKey: 'web', key: 'staging', name: 'Staging' } });
    const error = await fails(server, m.session, 'FORBIDDEN', CREATE_FLAG, { input: { projectKey: 'web', key: 'b', name: 'B' } });
    expect(error.extensions.resource).toBe('proj/web:env/staging:flag/b');
  });

  it('the projects list shows only projects the caller may view, and still fills pages', async () => {
    const server = await setupServer();
    for (const key of ['a1', 'b1', 'a2', 'b2', 'a3']) await createProject(server, server.owner, key);
    await addCustomRole(server, { key: 'a-only', policy: [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/a*'] }] });
    const m = await addMember(server, { role: 'no_access', customRoleKeys: ['a-only'] });
    const page1 = await ok<{ projects: { edges: Array<{ node: { key: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      server, m.session, LIST_PROJECTS, { first: 2 });
    expect(page1.projects.edges.map((e) => e.node.key)).toEqual(['a1', 'a2']);
    expect(page1.projects.pageInfo.hasNextPage).toBe(true);
    const page2 = await ok<{ projects: { edges: Array<{ node: { key: string } }>; pageInfo: { hasNextPage: boolean } } }>(
      server, m.session, LIST_PROJECTS, { first: 2, after: page1.projects.pageInfo.endCursor });
    expect(page2.projects.edges.map((e) => e.node.key)).toEqual(['a3']);
  });

  it('node(id) resolves a project only for those who may view it', async () => {
    const server = await setupServer();
    const created = await ok<{ createProject: { project: ProjectData } }>(server, server.owner, CREATE_PROJECT, { input: { key: 'web', name: 'Web' } });
    const id = created.createProject.project.id;
    const nobody = await addMember(server, { role: 'no_access' });
    const query = 'query($id: ID!) { node(id: $id) { id ... on Project { key } } }';
    const seen = await ok<{ node: { key: string } | null }>(server, server.owner, query, { id });
    expect(seen.node?.key).toBe('web');
    const unseen = await server.gql<{ node: unknown }>(query, { id }, { auth: nobody.session });
    expect(unseen.body.data?.node ?? null).toBeNull();
  });
});

describe('accounts are separate', () => {
  it("another account's projects are NOT_FOUND exactly like missing ones, for every operation", async () => {
    const server = await setupServer();
    const other = await addAccount(server);
    await createProject(server, other.owner.session, 'theirs');
    await createFlag(server, other.owner.session, 'theirs', 'f');
    for (const key of ['theirs', 'missing']) {
      const messages = [
        (await fails(server, server.owner, 'NOT_FOUND', GET_PROJECT, { key })).message,
        (await fails(server, server.owner, 'NOT_FOUND', CREATE_FLAG, { input: { projectKey: key, key: 'g', name: 'G' } })).message,
        (await fails(server, server.owner, 'NOT_FOUND', CREATE_ENVIRONMENT, { input: { projectKey: key, key: 'e', name: 'E' } })).message,
        (await fails(server, server.owner, 'NOT_FOUND', DELETE_FLAG, { input: { projectKey: key, flagKey: 'f' } })).message,
      ];
      expect(messages).toEqual(['Project not found', 'Project not found', 'Project not found', 'Project not found']);
      expect(errorOf(await setFlagOn(server, server.owner, key, 'test', 'f'))).toBe('NOT_FOUND');
    }
    const mine = await ok<{ projects: { edges: unknown[] } }>(server, server.owner, LIST_PROJECTS);
    expect(mine.projects.edges).toEqual([]);
    // The same key is free in this account.
    await createProject(server, server.owner, 'theirs');
    expect(await flagIsOn(server, other.owner.session, 'theirs', 'f', 'test')).toBe(false);
  });
});

function errorOf(res: { body: { errors?: Array<{ extensions?: Record<string, unknown> }> } }): unknown {
  return res.body.errors?.[0]?.extensions?.code;
}
