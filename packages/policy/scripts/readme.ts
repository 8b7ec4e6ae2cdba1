/**
 * Generated parts of README.md: the action catalogue table and the built-in role statements,
 * rendered from the code so the documentation cannot drift (test/readme.test.ts checks it).
 * `pnpm tsx packages/policy/scripts/readme.ts` rewrites the marked sections in place.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ACTION_CATALOG, BASE_ROLES, POLICY_LIMITS, baseRolePolicy, type PolicyLimits, type Statement } from '../src/index.ts';

export const README = new URL('../README.md', import.meta.url);

export function catalogTable(): string {
  const rows = ACTION_CATALOG.map((a) => {
    const notes = [a.latchkey ? 'Latchkey addition' : 'LaunchDarkly', a.ownerOnly === true ? 'owner only' : '', a.projectWide === true ? 'every environment' : '']
      .filter((n) => n !== '')
      .join(', ');
    return `| \`${a.resourceType}\` | \`${a.action}\` | ${a.kind} | ${notes} | ${a.description} |`;
  });
  return ['| resource type | action | kind | origin | what it allows |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

function statementLine(s: Statement): string {
  const list = (xs: readonly string[] | undefined) => (xs ?? []).map((x) => `\`${x}\``).join(', ');
  return `| ${s.effect} | ${list(s.actions)} | ${list(s.resources)} |`;
}

export function builtInRoles(): string {
  return BASE_ROLES.map((role) => {
    const policy = baseRolePolicy(role, '<self>');
    const body = policy.length === 0 ? '_no statements: nothing is allowed_' : ['| effect | actions | resources |', '| --- | --- | --- |', ...policy.map(statementLine)].join('\n');
    return `#### \`${role}\`\n\n${body}`;
  }).join('\n\n');
}

/** What each limit counts, and what happens over it (every limit must be described). */
const LIMITS: Record<keyof PolicyLimits, string> = {
  statements: 'statements in one policy',
  actionsPerPolicy: 'action names of all statements together (`actions` and `notActions`)',
  actionsPerStatement: 'items in one statement\'s `actions` or `notActions`',
  resourcesPerStatement: 'items in one statement\'s `resources` or `notResources`',
  resourcesPerPolicy: 'resource specifiers of all statements together (`resources` and `notResources`)',
  specifierLength: 'characters in one resource specifier',
  actionLength: 'characters in one action name or action glob',
  globsPerName: '`*` globs in one key, one tag or one action name (a run `**` is one glob)',
  tagsPerSegment: 'tags in the tag filter of one segment (`;t1,t2`)',
  attributeReferencesPerSpecifier: '`${roleAttribute/…}` references in one resource specifier',
  patternsPerGrant: 'patterns one grant stands for once the member\'s role-attribute values are substituted (checked at compile time: over it, the grant grants nothing)',
};

export function limitsTable(): string {
  const rows = (Object.keys(LIMITS) as (keyof PolicyLimits)[]).map((k) => `| \`${k}\` | ${POLICY_LIMITS[k]} | ${LIMITS[k]} |`);
  return ['| `POLICY_LIMITS.` | limit | counts |', '| --- | --- | --- |', ...rows].join('\n');
}

const SECTIONS: Record<string, () => string> = { catalog: catalogTable, roles: builtInRoles, limits: limitsTable };

/** The README with every generated section re-rendered. */
export function render(readme: string): string {
  let out = readme;
  for (const [name, generate] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md lacks the ${start} … ${end} markers`);
    out = `${out.slice(0, from + start.length)}\n${generate()}\n${out.slice(to)}`;
  }
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(README, render(readFileSync(README, 'utf8')));
  console.log('README.md generated sections updated');
}
