/** Raw GraphQL over HTTP for benchmark setup (errors throw). */
export async function graphql<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, auth?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`${res.status} ${JSON.stringify(body.errors)}`);
  return body.data;
}

export async function status(url: string, query: string, auth?: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify({ query }),
  });
  await res.arrayBuffer();
  return res.status;
}

export async function loginAs(url: string, email: string, password: string): Promise<string> {
  const data = await graphql<{ login: { secret: string } }>(url, 'mutation($i: LoginInput!) { login(input: $i) { secret } }', { i: { email, password } });
  return data.login.secret;
}

/** ~10 statements with globs, tags, a production deny and a role attribute: a realistic CI role. */
export const REALISTIC_ROLE_POLICY = [
  { effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] },
  { effect: 'ALLOW', actions: ['updateOn', 'updateName', 'updateDescription'], resources: ['proj/*:env/*:flag/*'] },
  { effect: 'ALLOW', actions: ['createFlag'], resources: ['proj/web*:env/*:flag/*'] },
  { effect: 'ALLOW', actions: ['*'], resources: ['proj/*;mobile:env/test:flag/*'] },
  { effect: 'ALLOW', actions: ['createEnvironment', 'updateTags'], resources: ['proj/*:env/qa-*'] },
  { effect: 'ALLOW', actions: ['viewAccessToken'], resources: ['service-token/*'] },
  { effect: 'ALLOW', actions: ['viewAuditLog'], resources: ['acct'] },
  { effect: 'ALLOW', actions: ['update*'], resources: ['proj/${roleAttribute/projects}:env/*:flag/*'] },
  { effect: 'DENY', actions: ['updateOn', 'deleteFlag'], resources: ['proj/*:env/production:flag/*'] },
  { effect: 'DENY', actions: ['*'], resources: ['proj/*:env/*;critical:flag/*'] },
];
