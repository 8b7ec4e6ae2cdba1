/**
 * An obviously-correct reference evaluator for property tests: no compilation, no indexes,
 * no catalogue. Each specifier becomes one regular expression over the whole resource name
 * (role attributes as an alternation of escaped values) plus tag-filter regexes per segment.
 */
import type { AccessRequest, Grant, Statement } from '../src/index.ts';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** `*` matches any run; everything else is literal. */
const globRegex = (glob: string) => new RegExp(`^${glob.split('*').map(escape).join('.*')}$`);

function specifierMatches(spec: string, attributes: Grant['roleAttributes'], request: AccessRequest): boolean {
  if (spec === '*') return true;
  const tagChecks: Array<[string, string]> = [];
  let pattern = '';
  for (const [i, segment] of spec.split(':').entries()) {
    const [head = '', tagText] = segment.split(';');
    const slash = head.indexOf('/');
    const type = slash < 0 ? head : head.slice(0, slash);
    let keyPattern = '';
    if (slash >= 0) {
      for (const piece of head.slice(slash + 1).split(/(\$\{roleAttribute\/[^}]*\}|\*)/)) {
        if (piece === '*') keyPattern += '[^:/]*';
        else if (piece.startsWith('${roleAttribute/')) {
          const name = piece.slice('${roleAttribute/'.length, -1);
          const values = attributes !== undefined && Object.hasOwn(attributes, name) ? (attributes[name] ?? []) : [];
          if (values.length === 0) return false;
          keyPattern += `(?:${values.map(escape).join('|')})`;
        } else keyPattern += escape(piece);
      }
    }
    pattern += `${i > 0 ? ':' : ''}${escape(type)}${slash >= 0 ? `/${keyPattern}` : ''}`;
    for (const tag of tagText?.split(',') ?? []) tagChecks.push([type, tag]);
  }
  if (!new RegExp(`^${pattern}$`).test(request.resource)) return false;
  return tagChecks.every(([type, tag]) => (request.tags?.[type] ?? []).some((t) => globRegex(tag).test(t)));
}

export function referenceStatementMatches(s: Statement, attributes: Grant['roleAttributes'], request: AccessRequest): boolean {
  const actionHit = (s.actions ?? s.notActions ?? []).some((a) => globRegex(a).test(request.action));
  const resourceHit = (s.resources ?? s.notResources ?? []).some((r) => specifierMatches(r, attributes, request));
  return (s.actions !== undefined ? actionHit : !actionHit) && (s.resources !== undefined ? resourceHit : !resourceHit);
}

/** Some grant has a matching allow and no matching deny. */
export function referenceAllowed(grants: readonly Grant[], request: AccessRequest): boolean {
  return grants.some((g) => {
    const matching = g.policy.filter((s) => referenceStatementMatches(s, g.roleAttributes, request));
    return matching.some((s) => s.effect === 'allow') && !matching.some((s) => s.effect === 'deny');
  });
}
