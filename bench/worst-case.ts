/**
 * Bounded work: the largest policies validatePolicy accepts (bench/lib/worst-policy.ts, every
 * POLICY_LIMITS limit used to the full) are decided and containment-checked in milliseconds,
 * and one such createToken does not hold up anybody else's request.
 *
 * (a) In-process: for each worst-case family, `contains` against the built-in role it fits in
 *     and against itself (an outer policy at the limits; compilation included, as the server
 *     pays it), and `decideToken` / `isTokenAllowed` on requests built from the same runs.
 * (b) Over real HTTP (server in a child process): a reader session sends createToken with the
 *     worst inline policy while another connection sends `{ __typename }` back to back; the
 *     probes' latencies during the createToken are the figure (goal < 50 ms). Also the issue's
 *     reproduction (`a*`×n against `b*`×n, 47 s before the limits), now refused at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseRoleGrant, compile, contains, decideToken, isTokenAllowed, validatePolicy, type AccessRequest, type Grant, type Statement } from '../packages/policy/src/index.ts';
import { graphql, loginAs } from './lib/graphql.ts';
import { startServerProcess } from './lib/server-process.ts';
import { percentile } from './lib/stats.ts';
import { worstPolicies } from './lib/worst-policy.ts';

export interface Timing {
  p50Ms: number;
  p99Ms: number;
  worstMs: number;
  samples: number;
}

export interface WorstCaseResult {
  families: Array<{ name: string; within: string; containsBuiltIn: Timing; containsSelf: Timing; decision: Timing; explainedDecision: Timing }>;
  /** Worst over every family. */
  containsWorstMs: number;
  decisionWorstMs: number;
  http: { createToken: Timing; probe: Timing; probesDuringCreate: number; reproductionRefusedMs: number; reproductionCode: string };
  /** One-minute load average before and after: on a shared machine, other processes stretch the tails. */
  load: { before: number; after: number };
}

const REPEAT = Number(process.env.BENCH_WORST_REPEAT ?? 40);

function timing(samples: number[]): Timing {
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), worstMs: Math.max(...samples), samples: samples.length };
}

function timeSync(n: number, fn: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    fn();
    out.push(performance.now() - start);
  }
  return out;
}

const ACTIONS = ['viewAccessToken', 'deleteAccessToken', 'updateAccessTokenPolicy', 'updateOn', 'deleteFlag', 'viewProject'];

function inProcess(): WorstCaseResult['families'] {
  const self = 'm1';
  return worstPolicies(self).map((w) => {
    const checked = validatePolicy(w.policy);
    if (!checked.ok) throw new Error(`${w.name}: not accepted by validatePolicy: ${JSON.stringify(checked.issues[0])}`);
    const inner: Grant[] = [{ source: 'inline', policy: checked.policy, roleAttributes: w.roleAttributes ?? {} }];
    const builtIn = [baseRoleGrant(w.within, self)];
    // The bench measures full work: a refusal would stop early.
    for (const outer of [builtIn, inner]) {
      const result = contains(outer, inner);
      if (!result.ok) throw new Error(`${w.name}: contains refused: ${result.reason}`);
    }
    const warm = Math.ceil(REPEAT / 4);
    timeSync(warm, () => contains(builtIn, inner));
    const containsBuiltIn = timing(timeSync(REPEAT, () => contains(builtIn, inner)));
    timeSync(warm, () => contains(inner, inner));
    const containsSelf = timing(timeSync(REPEAT, () => contains(inner, inner)));

    // A personal token scoped to the policy, owned by a member of the built-in role.
    const token = compile(inner);
    const owner = compile(builtIn);
    const requests: AccessRequest[] = w.resources.flatMap((resource) => ACTIONS.map((action) => ({ action, resource, tags: { proj: ['t0aba', 'x'], env: ['t1a'] } })));
    for (const r of requests) isTokenAllowed(token, owner, r);
    const decision = timing(requests.flatMap((r) => timeSync(5, () => isTokenAllowed(token, owner, r))));
    for (const r of requests) decideToken(token, owner, r);
    const explainedDecision = timing(requests.flatMap((r) => timeSync(5, () => decideToken(token, owner, r))));
    return { name: w.name, within: w.within, containsBuiltIn, containsSelf, decision, explainedDecision };
  });
}

const CREATE = 'mutation($i: CreateTokenInput!) { createToken(input: $i) { token { id } } }';

/** The raw member id inside a Relay global id (resource specifiers use raw ids). */
const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':').slice(1).join(':');

async function overHttp(): Promise<WorstCaseResult['http']> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-worst-'));
  const server = await startServerProcess({ BENCH_DB: join(dir, 'worst.db') });
  try {
    const owner = await loginAs(server.url, server.ownerEmail, server.ownerPassword);
    const email = `reader-${Date.now()}@bench.test`;
    const invited = await graphql<{ inviteMember: { inviteCode: string } }>(server.url, 'mutation($i: InviteMemberInput!) { inviteMember(input: $i) { inviteCode } }', { i: { email, role: 'READER' } }, owner);
    const reader = (await graphql<{ acceptInvite: { secret: string } }>(server.url, 'mutation($i: AcceptInviteInput!) { acceptInvite(input: $i) { secret } }', {
      i: { inviteCode: invited.inviteMember.inviteCode, name: 'Reader', password: 'reader-password-1' },
    })).acceptInvite.secret;
    const readerId = rawId((await graphql<{ viewer: { member: { id: string } } }>(server.url, '{ viewer { member { id } } }', {}, reader)).viewer.member.id);
    const worst = worstPolicies(readerId).find((w) => w.within === 'reader' && w.roleAttributes === undefined);
    if (!worst) throw new Error('no reader-sized worst policy');
    const inlinePolicy = worst.policy.map((s) => ({ ...s, effect: s.effect.toUpperCase() }));

    const post = async (query: string, variables: Record<string, unknown>, auth?: string) => {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    };

    const creates: number[] = [];
    const probes: number[] = [];
    let during = 0;
    const rounds = Math.max(10, Math.ceil(REPEAT / 2));
    for (let round = 0; round < rounds + 3; round++) {
      let done = false;
      const started = performance.now();
      const created = post(CREATE, { i: { name: `worst ${round}`, inlinePolicy } }, reader).then((body) => {
        done = true;
        if (body.errors) throw new Error(`createToken failed: ${JSON.stringify(body.errors[0])}`);
        return performance.now() - started;
      });
      // Another client, back to back, until the createToken has answered.
      const roundProbes: number[] = [];
      do {
        const t = performance.now();
        await post('{ __typename }', {});
        roundProbes.push(performance.now() - t);
      } while (!done);
      const createMs = await created;
      if (round >= 3) {
        // The first rounds warm the server's JIT.
        creates.push(createMs);
        probes.push(...roundProbes);
        during += roundProbes.length;
      }
    }

    // The reproduction: one inline policy of ~96 kB, 47 s of containment before the limits.
    const n = 24_000;
    const reproduction: Statement[] = [
      { effect: 'allow', actions: ['viewProject'], resources: [`proj/${'a*'.repeat(n)}`] },
      { effect: 'deny', actions: ['viewProject'], resources: [`proj/${'b*'.repeat(n)}`] },
    ];
    const t = performance.now();
    const refused = await post(CREATE, { i: { name: 'reproduction', inlinePolicy: reproduction.map((s) => ({ ...s, effect: s.effect.toUpperCase() })) } }, reader);
    const reproductionRefusedMs = performance.now() - t;
    return {
      createToken: timing(creates),
      probe: timing(probes),
      probesDuringCreate: during,
      reproductionRefusedMs,
      reproductionCode: refused.errors?.[0]?.extensions?.code ?? 'accepted',
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchWorstCase(): Promise<WorstCaseResult> {
  const before = loadavg()[0] ?? 0;
  const families = inProcess();
  const http = await overHttp();
  return {
    load: { before, after: loadavg()[0] ?? 0 },
    families,
    containsWorstMs: Math.max(...families.flatMap((f) => [f.containsBuiltIn.worstMs, f.containsSelf.worstMs])),
    decisionWorstMs: Math.max(...families.flatMap((f) => [f.decision.worstMs, f.explainedDecision.worstMs])),
    http,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchWorstCase(), null, 2));
}
