/**
 * `pnpm bench`: every benchmark in one run on this machine, one table, and the raw figures as
 * JSON in bench/results/<date>.json. Figures are printed, never asserted.
 * BENCH_ONLY=policy,http,cpu,scale,revocation,worst,audit runs a subset; BENCH_ONLY=cluster (not in
 * the default run: it needs a PostgreSQL, see bench/cluster.ts) the multi-instance figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchAuditVerify, type AuditVerifyResult } from './audit-verify.ts';
import { benchCluster, type ClusterResult } from './cluster.ts';
import { benchCpu, type CpuResult } from './cpu.ts';
import { benchHttp, type HttpResult } from './http.ts';
import { fmt, formatTable } from './lib/table.ts';
import { benchPolicy, type PolicyBenchResult } from './policy.ts';
import { benchRevocation, type RevocationResult } from './revocation.ts';
import { benchScale, type ScaleResult } from './scale.ts';
import { benchWorstCase, type Timing, type WorstCaseResult } from './worst-case.ts';

const only = new Set((process.env.BENCH_ONLY ?? 'policy,http,cpu,scale,revocation,worst,audit').split(','));
const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) };
const results: {
  machine: typeof machine;
  date: string;
  policy?: PolicyBenchResult;
  http?: HttpResult;
  cpu?: CpuResult;
  scale?: ScaleResult;
  revocation?: RevocationResult;
  worst?: WorstCaseResult;
  audit?: AuditVerifyResult;
  cluster?: ClusterResult;
} = {
  machine,
  date: new Date().toISOString(),
};
const rows: string[][] = [];
const row = (part: string, measure: string, value: string, goal = '') => rows.push([part, measure, value, goal]);

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  const out = await run();
  process.stderr.write(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return out;
}

if (only.has('policy')) {
  const policy = (results.policy = await step('policy decisions', () => benchPolicy()));
  for (const r of policy.rows) row('policy', `${r.engine} decisions/s`, fmt.int(r.decisionsPerSecond), r.engine === '@latchkey/policy' ? `≥ 8× CASL: ${fmt.num(r.ratioToCasl)}×` : `${fmt.num(r.ratioToCasl)}× CASL`);
  row('policy', 'requests all engines agreed on', fmt.int(policy.agreed));
}

if (only.has('http')) {
  const http = (results.http = await step('auth overhead over HTTP', () => benchHttp()));
  row('http', 'authenticated req/s (p50/p99)', `${fmt.int(http.authenticated.requestsPerSecond)} (${http.authenticated.p50Ms}/${http.authenticated.p99Ms} ms)`);
  row('http', 'auth off req/s (p50/p99)', `${fmt.int(http.unauthenticated.requestsPerSecond)} (${http.unauthenticated.p50Ms}/${http.unauthenticated.p99Ms} ms)`);
  row('http', 'authenticated / auth off', fmt.pct(http.ratio), '≥ 95%');
  row('http', 'per-token limiter on / off', fmt.pct(http.limiterRatio), '≈ 100%');
  row('http', 'lastUsedAt writes per 10,000 requests', `${http.lastUsed.writes} (${http.lastUsed.flushes} flush intervals, 1 token)`, '≤ 1 per token per flush');
}

if (only.has('cpu')) {
  const cpu = (results.cpu = await step('server CPU per request', () => benchCpu()));
  const goals: Record<string, string> = { 'Latchkey { viewer { member { id } } }, token': '≤ 1.5× Yoga', 'Latchkey checkAccess, token': '≤ 2× Yoga', 'Latchkey GUARDED_QUERY, token': '≤ 2.5× Yoga' };
  for (const r of cpu.rows) row('cpu', `${r.name}: CPU µs/request (req/s)`, `${fmt.int(r.cpuMicrosPerRequest)} (${fmt.int(r.requestsPerSecond)})`, `${fmt.num(r.ratioToYoga)}× bare Yoga${goals[r.name] ? `; goal ${goals[r.name]}` : ''}`);
  row('cpu', 'pnpm start (dist/main.js) idle RSS', `${cpu.compiledIdleRssMiB} MiB`, '≤ 150 MiB');
  row('cpu', 'benchmark server (tsx loader) idle RSS', `${cpu.latchkeyIdleRssMiB} MiB`);
  if (cpu.postgres) row('cpu', 'PostgreSQL rows', cpu.postgres);
}

if (only.has('scale')) {
  const scale = (results.scale = await step('scale', () => benchScale()));
  row('scale', 'tokens in the database', `${fmt.int(scale.tokens)} (loaded in ${fmt.num(scale.insertSeconds, 1)} s)`);
  row('scale', 'authentication, cold (mean/p99)', `${fmt.us(scale.authColdMeanMs)} / ${fmt.us(scale.authColdP99Ms)}`);
  row('scale', 'authentication, cached (mean/p99)', `${fmt.us(scale.authCachedMeanMs)} / ${fmt.us(scale.authCachedP99Ms)}`);
  row('scale', 'tokens: first page (p50)', fmt.ms(scale.firstPageMs));
  row('scale', 'tokens: page at 90% by cursor (p50)', fmt.ms(scale.deepPageMs), `≤ 2× first: ${fmt.num(scale.deepToFirstRatio)}×`);
  row('scale', 'createToken (mean/p99)', `${fmt.ms(scale.createTokenMeanMs)} / ${fmt.ms(scale.createTokenP99Ms)}`);
  row('scale', 'database size', `${fmt.num(scale.databaseBytes / 2 ** 20, 1)} MiB`);
}

if (only.has('audit')) {
  const a = (results.audit = await step('audit verification while serving', () => benchAuditVerify()));
  row('audit', `full verification of ${fmt.int(a.entries)} entries (seeded in ${fmt.num(a.seedSeconds, 1)} s)`, `${fmt.num(a.fullVerificationSeconds, 1)} s; then incremental ${fmt.ms(a.incrementalVerificationMs)}`);
  row('audit', `other requests meanwhile: ${fmt.int(a.during.requests)}, ${a.during.failed} failed (p50/p99/max)`, `${fmt.ms(a.during.p50Ms)} / ${fmt.ms(a.during.p99Ms)} / ${fmt.ms(a.during.maxMs)}`, 'p99 < 50 ms');
  row('audit', `same load, no verification: ${fmt.int(a.idle.requests)} (p50/p99/max)`, `${fmt.ms(a.idle.p50Ms)} / ${fmt.ms(a.idle.p99Ms)} / ${fmt.ms(a.idle.maxMs)}`);
  row('audit', 'server event-loop delay p99/max: verifying / not', `${fmt.ms(a.loopDelay.during.p99Ms)} / ${fmt.ms(a.loopDelay.during.maxMs)} — ${fmt.ms(a.loopDelay.idle.p99Ms)} / ${fmt.ms(a.loopDelay.idle.maxMs)}`);
}
if (only.has('revocation')) {
  const revocation = (results.revocation = await step('revocation', () => benchRevocation()));
  for (const kind of ['deleteToken', 'resetToken', 'removeMember'] as const) {
    row('revocation', `requests wrongly accepted after ${kind}`, `${revocation.wronglySucceeded[kind]} of ${revocation.attempts[kind]}`, '0');
  }
}

if (only.has('worst')) {
  const worst = (results.worst = await step('worst case at the policy limits', () => benchWorstCase()));
  const t = (x: Timing) => `${fmt.ms(x.p50Ms)} / ${fmt.ms(x.p99Ms)} / ${fmt.ms(x.worstMs)}`;
  for (const f of worst.families) {
    row('worst', `${f.name}: contains vs ${f.within} (p50/p99/worst)`, t(f.containsBuiltIn), '< 10 ms');
    row('worst', `${f.name}: contains vs itself (p50/p99/worst)`, t(f.containsSelf), '< 10 ms');
    row('worst', `${f.name}: decision, explained (p99/worst)`, `${fmt.us(f.decision.p99Ms)} / ${fmt.ms(f.decision.worstMs)}, ${fmt.us(f.explainedDecision.p99Ms)} / ${fmt.ms(f.explainedDecision.worstMs)}`, '< 10 ms');
  }
  row('worst', 'createToken, worst inline policy, HTTP (p50/p99/worst)', t(worst.http.createToken));
  row('worst', `unrelated request meanwhile (p50/p99/worst, ${worst.http.probesDuringCreate} sent)`, t(worst.http.probe), '< 50 ms');
  row('worst', "issue's reproduction (a*×24,000 vs b*×24,000)", `${worst.http.reproductionCode} in ${fmt.ms(worst.http.reproductionRefusedMs)}`, 'refused (was 47 s)');
  row('worst', 'machine load average (1 min) before / after', `${fmt.num(worst.load.before)} / ${fmt.num(worst.load.after)}`);
}

if (only.has('cluster')) {
  const c = (results.cluster = await step('PostgreSQL and several instances', () => benchCluster()));
  const load = (l: { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number; non2xx: number }) =>
    `${fmt.int(l.requestsPerSecond)} (${l.p50Ms}/${l.p99Ms} ms)${l.errors + l.non2xx ? `, ${l.errors + l.non2xx} failed` : ''}`;
  row('cluster', 'authenticated req/s (p50/p99): PostgreSQL', load(c.postgres.authenticated));
  row('cluster', 'authenticated req/s (p50/p99): SQLite', load(c.sqlite.authenticated), `PostgreSQL ${fmt.pct(c.postgres.authenticated.requestsPerSecond / c.sqlite.authenticated.requestsPerSecond)} of SQLite`);
  row('cluster', `createToken p50/p99 (${c.postgres.createToken.samples} sequential): PostgreSQL`, `${fmt.ms(c.postgres.createToken.p50Ms)} / ${fmt.ms(c.postgres.createToken.p99Ms)}`);
  row('cluster', `createToken p50/p99 (${c.sqlite.createToken.samples} sequential): SQLite`, `${fmt.ms(c.sqlite.createToken.p50Ms)} / ${fmt.ms(c.sqlite.createToken.p99Ms)}`);
  row('cluster', 'PostgreSQL, 1 instance direct req/s (p50/p99)', load(c.scaling.oneDirect));
  row('cluster', '1 instance behind the round-robin proxy', load(c.scaling.oneBehindProxy));
  row('cluster', '3 instances behind the round-robin proxy', load(c.scaling.threeBehindProxy), `${fmt.num(c.scaling.threeToOne)}× one (2 cores: see caveat)`);
  row('cluster', `cross-instance revocation → 401, p50/p99/max (${c.revocation.samples} of ${c.revocation.observations})`, `${fmt.ms(c.revocation.p50Ms)} / ${fmt.ms(c.revocation.p99Ms)} / ${fmt.ms(c.revocation.maxMs)}`, '≤ 100 ms');
  row('cluster', 'machine load average (1 min) before / after', `${fmt.num(c.load.before)} / ${fmt.num(c.load.after)}`);
  row('cluster', 'revoked secret: served after ack / never refused (2 s) / served again', `${c.revocation.servedAfterAck} / ${c.revocation.neverRefused} / ${c.revocation.servedAgain}`, '— / 0 / 0');
}

console.log(`\nLatchkey benchmarks — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}\n`);
console.log(formatTable(['part', 'measure', 'value', 'goal'], rows));
if (results.cluster) console.log(`\ncluster: one vs three instances: ${results.cluster.scaling.caveat}.`);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', `${results.date.replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(results, null, 2));
console.log(`\nRaw figures: ${out}`);
