/**
 * Decisions per second of @latchkey/policy against what a Node developer would pick instead
 * (@casl/ability and casbin), on one realistic rule set encoded three times.
 *
 * The rule set: 12 statements with key globs, tag filters, a role attribute, a production deny
 * and a critical-environment deny; 1,000 varied requests (seeded, so every run is the same).
 * All three engines must agree on every request before anything is timed; then each is
 * warmed up and measured with performance.now(). CASL and casbin pay for turning the resource
 * string into their own form per request, as they would in a server (Latchkey parses it too).
 *
 * Run alone: `pnpm tsx bench/policy.ts`.
 */
import { pathToFileURL } from 'node:url';
import { compile, isAllowed, decide, type AccessRequest, type Statement } from '../packages/policy/src/index.ts';
import { AbilityBuilder, createMongoAbility, newEnforcer, newModelFromString, subject, type MongoAbility } from '../packages/policy/bench/vendors.ts';

const ROLE_ATTRIBUTES = { projects: ['checkout', 'search'] };
const ME = 'me';

/** The rules, in Latchkey's language (one grant: deny wins inside it). */
export const POLICY: Statement[] = [
  { effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] },
  { effect: 'allow', actions: ['updateOn', 'updateName', 'updateDescription'], resources: ['proj/*:env/*:flag/*'] },
  { effect: 'allow', actions: ['createFlag', 'deleteFlag'], resources: ['proj/${roleAttribute/projects}:env/*:flag/*'] },
  { effect: 'allow', actions: ['*'], resources: ['proj/*;mobile:env/*:flag/*'] },
  { effect: 'allow', actions: ['createEnvironment', 'updateTags'], resources: ['proj/${roleAttribute/projects}:env/*'] },
  { effect: 'allow', actions: ['*'], resources: ['proj/*:env/qa-*:flag/exp-*'] },
  { effect: 'allow', actions: ['viewTeam'], resources: ['team/*'] },
  { effect: 'allow', actions: ['*'], resources: [`member/${ME}:token/*`] },
  { effect: 'allow', actions: ['viewAuditLog'], resources: ['acct'] },
  { effect: 'deny', actions: ['updateOn', 'deleteFlag'], resources: ['proj/*:env/production:flag/*'] },
  { effect: 'deny', actions: ['*'], resources: ['proj/*:env/*;critical:flag/*'] },
  { effect: 'deny', actions: ['deleteAccessToken'], resources: ['member/*:token/ci-*'] },
];

// ---------------------------------------------------------------------------------------
// Requests

/** mulberry32: a tiny seeded PRNG so the request set is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROJECTS = ['checkout', 'search', 'web', 'ios-app', 'billing'];
const ENVS = ['production', 'staging', 'qa-eu', 'qa-us', 'test'];
const FLAGS = ['exp-banner', 'exp-checkout-v2', 'dark-mode', 'new-search', 'kill-switch'];
const REQUEST_SHAPES: Array<[number, string[]]> = [
  [45, ['updateOn', 'updateName', 'updateDescription', 'createFlag', 'deleteFlag']], // flag
  [15, ['createEnvironment', 'deleteEnvironment', 'updateName', 'updateTags']], // env
  [15, ['viewProject', 'updateProjectName', 'deleteProject', 'updateTags']], // project
  [10, ['createAccessToken', 'deleteAccessToken', 'viewAccessToken', 'resetAccessToken']], // token
  [8, ['viewTeam', 'updateTeamMembers']], // team
  [7, ['viewAuditLog', 'updateServiceTokenLimit']], // acct
];

export function makeRequests(count = 1000, seed = 42): AccessRequest[] {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] ?? xs[0] ?? (undefined as never);
  const total = REQUEST_SHAPES.reduce((s, [w]) => s + w, 0);
  const requests: AccessRequest[] = [];
  for (let i = 0; i < count; i++) {
    let roll = random() * total;
    let shape = 0;
    for (const [w] of REQUEST_SHAPES) {
      if (roll < w) break;
      roll -= w;
      shape++;
    }
    const action = pick(REQUEST_SHAPES[shape]?.[1] ?? ['viewProject']);
    const proj = pick(PROJECTS);
    const env = pick(ENVS);
    const projTags = random() < 0.3 ? ['mobile'] : random() < 0.3 ? ['web', 'beta'] : [];
    const envTags = env === 'production' || random() < 0.1 ? ['critical'] : [];
    const tags = { proj: projTags, env: envTags };
    switch (shape) {
      case 0:
        requests.push({ action, resource: `proj/${proj}:env/${env}:flag/${pick(FLAGS)}`, tags });
        break;
      case 1:
        requests.push({ action, resource: `proj/${proj}:env/${env}`, tags });
        break;
      case 2:
        requests.push({ action, resource: `proj/${proj}`, tags: { proj: projTags } });
        break;
      case 3:
        requests.push({ action, resource: `member/${pick([ME, 'you'])}:token/${pick(['ci-deploy', 'laptop', 'ci-nightly', 'script'])}` });
        break;
      case 4:
        requests.push({ action, resource: `team/${pick(['ops', 'web', 'mobile'])}` });
        break;
      default:
        requests.push({ action, resource: 'acct' });
    }
  }
  return requests;
}

// ---------------------------------------------------------------------------------------
// The same rules in CASL: one subject type per resource type, fields for keys and tags.

interface CaslFields {
  proj?: string;
  env?: string;
  flag?: string;
  key?: string;
  member?: string;
  projTags?: readonly string[];
  envTags?: readonly string[];
}
type CaslSubject = 'Project' | 'Environment' | 'Flag' | 'Team' | 'Token' | 'Account';

function caslAbility(): MongoAbility {
  const { can, cannot, build } = new AbilityBuilder<MongoAbility>(createMongoAbility);
  const projects = ROLE_ATTRIBUTES.projects;
  can('viewProject', 'Project');
  can(['updateOn', 'updateName', 'updateDescription'], 'Flag');
  can(['createFlag', 'deleteFlag'], 'Flag', { proj: { $in: projects } });
  can('manage', 'Flag', { projTags: { $all: ['mobile'] } });
  can(['createEnvironment', 'updateTags'], 'Environment', { proj: { $in: projects } });
  can('manage', 'Flag', { env: { $regex: /^qa-/ }, flag: { $regex: /^exp-/ } });
  can('viewTeam', 'Team');
  can('manage', 'Token', { member: ME });
  can('viewAuditLog', 'Account');
  // CASL: a later rule overrides earlier ones, so the denies come last (deny wins).
  cannot(['updateOn', 'deleteFlag'], 'Flag', { env: 'production' });
  cannot('manage', 'Flag', { envTags: { $all: ['critical'] } });
  cannot('deleteAccessToken', 'Token', { key: { $regex: /^ci-/ } });
  return build();
}

/** Resource string + tags to a CASL subject (done per request, as a server would). */
function caslSubject(request: AccessRequest): [CaslSubject, CaslFields] {
  const fields: CaslFields = {};
  let type: CaslSubject = 'Account';
  for (const segment of request.resource.split(':')) {
    const slash = segment.indexOf('/');
    const kind = slash < 0 ? segment : segment.slice(0, slash);
    const key = segment.slice(slash + 1);
    switch (kind) {
      case 'proj':
        type = 'Project';
        fields.proj = key;
        fields.projTags = request.tags?.['proj'] ?? [];
        break;
      case 'env':
        type = 'Environment';
        fields.env = key;
        fields.envTags = request.tags?.['env'] ?? [];
        break;
      case 'flag':
        type = 'Flag';
        fields.flag = key;
        break;
      case 'member':
        fields.member = key;
        break;
      case 'token':
        type = 'Token';
        fields.key = key;
        break;
      case 'team':
        type = 'Team';
        fields.key = key;
        break;
    }
  }
  return [type, fields];
}

function caslAllowed(ability: MongoAbility, request: AccessRequest): boolean {
  const [type, fields] = caslSubject(request);
  return ability.can(request.action, subject(type, fields));
}

// ---------------------------------------------------------------------------------------
// The same rules in casbin. keyMatch's `*` stops at `/` and knows nothing of tags, so each
// specifier becomes a regex over a request string that carries each segment's tags:
// `proj/web;,mobile,:env/qa-eu;,:flag/f;,` (regexMatch; `*` never crosses `:`, `/` or `;`).

const CASBIN_MODEL = `
[request_definition]
r = obj, act
[policy_definition]
p = obj, act, eft
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = regexMatch(r.act, p.act) && regexMatch(r.obj, p.obj)
`;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function casbinResource(spec: string): string {
  if (spec === '*') return '.*';
  const segments = spec.split(':').map((segment) => {
    const [head = '', tagText] = segment.split(';');
    const slash = head.indexOf('/');
    const type = slash < 0 ? head : head.slice(0, slash);
    const key =
      slash < 0
        ? ''
        : `/${head
            .slice(slash + 1)
            .split(/(\$\{roleAttribute\/projects\}|\*)/)
            .map((p) => (p === '*' ? '[^:/;]*' : p.startsWith('${') ? `(?:${ROLE_ATTRIBUTES.projects.map(escapeRegex).join('|')})` : escapeRegex(p)))
            .join('')}`;
    const tags = (tagText?.split(',') ?? []).map((t) => `(?=[^:]*,${escapeRegex(t)},)`).join('');
    return `${escapeRegex(type)}${key};${tags}[^:]*`;
  });
  return `^${segments.join(':')}$`;
}

async function casbinEnforcer() {
  const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL));
  for (const s of POLICY) {
    const act = (s.actions ?? []).includes('*') ? '.*' : `^(?:${(s.actions ?? []).join('|')})$`;
    for (const r of s.resources ?? []) await enforcer.addPolicy(casbinResource(r), act, s.effect);
  }
  return enforcer;
}

function casbinObject(request: AccessRequest): string {
  return request.resource
    .split(':')
    .map((segment) => {
      const slash = segment.indexOf('/');
      const kind = slash < 0 ? segment : segment.slice(0, slash);
      const tags = request.tags?.[kind === 'token' ? 'token' : kind] ?? [];
      return `${segment};,${tags.map((t) => `${t},`).join('')}`;
    })
    .join(':');
}

// ---------------------------------------------------------------------------------------
// Measurement

/** One pass over every request; returns how many were allowed (so no work is optimized away). */
type Pass = () => number;

/** One timed slice: whole passes for at least `ms`; returns decisions/s. */
function slice(pass: Pass, perPass: number, ms: number): number {
  let sink = 0;
  let n = 0;
  const start = performance.now();
  let now = start;
  do {
    sink += pass();
    n += perPass;
    now = performance.now();
  } while (now - start < ms);
  if (sink < 0) throw new Error('unreachable');
  return n / ((now - start) / 1000);
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * Decisions per second of each engine: a warm-up slice each, then rounds of short slices with
 * the engines interleaved. Each engine's rate is its median slice; each ratio is the median of
 * the per-round ratios to the reference engine (passes[0] of `ratioTo`). Neighbouring slices
 * see the same machine load, so paired ratios stay steady on a busy box where absolute rates
 * do not. Each engine has its own pass loop, so none pays for a shared megamorphic call site.
 */
function measure(passes: readonly Pass[], perPass: number, rounds: number, ms: number, ratioTo: number): { rates: number[]; ratios: number[] } {
  passes.forEach((pass) => slice(pass, perPass, ms * 4));
  const samples = passes.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    passes.forEach((pass, i) => samples[i]?.push(slice(pass, perPass, ms)));
  }
  const reference = samples[ratioTo] ?? [];
  return {
    rates: samples.map(median),
    ratios: samples.map((rates) => median(rates.map((rate, round) => rate / (reference[round] ?? rate)))),
  };
}

export interface PolicyBenchResult {
  rows: Array<{ engine: string; decisionsPerSecond: number; ratioToCasl: number }>;
  /** Requests on which all three engines agreed (all of them, or this throws). */
  agreed: number;
}

export async function benchPolicy(options: { requests?: number; rounds?: number } = {}): Promise<PolicyBenchResult> {
  const requests = makeRequests(options.requests ?? 1000);
  const rounds = options.rounds ?? 40;
  const principal = compile([{ source: 'bench', policy: POLICY, roleAttributes: ROLE_ATTRIBUTES }]);
  const ability = caslAbility();
  const enforcer = await casbinEnforcer();

  let agreed = 0;
  for (const request of requests) {
    const latchkey = isAllowed(principal, request);
    const casl = caslAllowed(ability, request);
    const casbin = enforcer.enforceSync(casbinObject(request), request.action);
    if (latchkey !== casl || latchkey !== casbin) {
      throw new Error(
        `engines disagree on ${JSON.stringify(request)}: latchkey ${latchkey} (${decide(principal, request).reason}), casl ${casl}, casbin ${casbin}`,
      );
    }
    agreed++;
  }

  const latchkeyPass = () => {
    let allowed = 0;
    for (const r of requests) if (isAllowed(principal, r)) allowed++;
    return allowed;
  };
  const caslPass = () => {
    let allowed = 0;
    for (const r of requests) if (caslAllowed(ability, r)) allowed++;
    return allowed;
  };
  const casbinPass = () => {
    let allowed = 0;
    for (const r of requests) if (enforcer.enforceSync(casbinObject(r), r.action)) allowed++;
    return allowed;
  };
  const fast = measure([latchkeyPass, caslPass], requests.length, rounds, 15, 1);
  // casbin is two orders of magnitude slower: a few longer slices, paired with CASL again.
  const slow = measure([casbinPass, caslPass], requests.length, 3, 60, 1);
  return {
    rows: [
      { engine: '@latchkey/policy', decisionsPerSecond: fast.rates[0] ?? 0, ratioToCasl: fast.ratios[0] ?? 0 },
      { engine: '@casl/ability', decisionsPerSecond: fast.rates[1] ?? 0, ratioToCasl: 1 },
      { engine: 'casbin', decisionsPerSecond: slow.rates[0] ?? 0, ratioToCasl: slow.ratios[0] ?? 0 },
    ],
    agreed,
  };
}

export function formatPolicyBench(result: PolicyBenchResult): string {
  const lines = [`policy decisions (${result.agreed} requests, all three engines agree on every one)`, ''];
  lines.push(`${'engine'.padEnd(20)}${'decisions/s'.padStart(14)}${'× CASL'.padStart(10)}   (median slice; ratio: median of paired slices)`);
  for (const r of result.rows) {
    lines.push(`${r.engine.padEnd(20)}${Math.round(r.decisionsPerSecond).toLocaleString('en-US').padStart(14)}${r.ratioToCasl.toFixed(2).padStart(10)}`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void benchPolicy().then((result) => {
    console.log(formatPolicyBench(result));
    const ours = result.rows[0];
    if (ours !== undefined && ours.ratioToCasl < 5) {
      console.error(`@latchkey/policy is only ${ours.ratioToCasl.toFixed(1)}× CASL (floor: 5×)`);
      process.exitCode = 1;
    }
  });
}
