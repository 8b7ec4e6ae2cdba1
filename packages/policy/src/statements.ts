/**
 * Statements and their validation. A statement has an effect, exactly one of
 * `actions`/`notActions` and exactly one of `resources`/`notResources`. Validation returns a
 * tagged result with one issue per problem: which statement, which field, what is wrong.
 */
import { ACTION_CATALOG, RESOURCE_TYPES, type ResourceType } from './actions.ts';
import { GlobMatcher, globFromText } from './glob.ts';
import { POLICY_LIMITS } from './limits.ts';
import { parseResourceSpecifier, type ParsedResource } from './resources.ts';

export type Effect = 'allow' | 'deny';

export interface Statement {
  effect: Effect;
  actions?: readonly string[];
  notActions?: readonly string[];
  resources?: readonly string[];
  notResources?: readonly string[];
}

export type Policy = readonly Statement[];

export interface PolicyIssue {
  /** Index of the statement in the input list. */
  statement: number;
  field: 'effect' | 'actions' | 'notActions' | 'resources' | 'notResources' | 'statement';
  /** Index inside the field's list, when one element is at fault. */
  element?: number;
  message: string;
}

export type PolicyValidation = { ok: true; policy: Statement[] } | { ok: false; issues: PolicyIssue[] };

const FIELDS = new Set(['effect', 'actions', 'notActions', 'resources', 'notResources']);
const ACTION_PATTERN = /^[A-Za-z0-9*]+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type ListField = 'actions' | 'notActions' | 'resources' | 'notResources';

const isActionField = (field: ListField) => field === 'actions' || field === 'notActions';
const listLength = (value: unknown) => (Array.isArray(value) ? value.length : 0);

/** `*` globs in a name: runs of stars (`a**b` has one). */
const globCount = (text: string) => globFromText(text).parts.length - 1;

/** The first limit a parsed specifier is over (keys' and tags' globs, tags, attribute references), or null. */
function specifierOverLimit(parsed: ParsedResource): string | null {
  if (parsed.kind === 'any') return null;
  const { globsPerName, tagsPerSegment, attributeReferencesPerSpecifier } = POLICY_LIMITS;
  let references = 0;
  for (const segment of parsed.segments) {
    const stars = segment.key.filter((t) => t.kind === 'star').length;
    if (stars > globsPerName) return `at most ${globsPerName} "*" globs in one key (found ${stars} in the key of "${segment.type}")`;
    references += segment.key.filter((t) => t.kind === 'attribute').length;
    if (segment.tags.length > tagsPerSegment) {
      return `at most ${tagsPerSegment} tags in the tag filter of one segment (found ${segment.tags.length} on "${segment.type}")`;
    }
    for (const tag of segment.tags) {
      const n = globCount(tag);
      if (n > globsPerName) return `at most ${globsPerName} "*" globs in one tag (found ${n} in a tag of "${segment.type}")`;
    }
  }
  if (references > attributeReferencesPerSpecifier) {
    return `at most ${attributeReferencesPerSpecifier} role attribute references in one resource specifier (found ${references})`;
  }
  return null;
}

/** Reads an optional non-empty list of strings; `null` counts as absent (GraphQL input). */
function readList(
  raw: Record<string, unknown>,
  field: ListField,
  index: number,
  issues: PolicyIssue[],
): string[] | undefined {
  const value = raw[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    issues.push({ statement: index, field, message: `${field} must be a list of strings` });
    return undefined;
  }
  if (value.length === 0) {
    issues.push({ statement: index, field, message: `${field} must not be empty` });
    return undefined;
  }
  const max = isActionField(field) ? POLICY_LIMITS.actionsPerStatement : POLICY_LIMITS.resourcesPerStatement;
  if (value.length > max) {
    const what = isActionField(field) ? 'action names' : 'resource specifiers';
    issues.push({ statement: index, field, message: `at most ${max} ${what} in ${field} of one statement (found ${value.length})` });
    return undefined;
  }
  const out: string[] = [];
  value.forEach((item: unknown, i) => {
    if (typeof item !== 'string') issues.push({ statement: index, field, element: i, message: `${field}[${i}] is not a string` });
    else out.push(item);
  });
  return out;
}

/**
 * Validates a list of statement-like objects and returns the normalized policy, or every
 * issue found. Effects may be given in either case (`ALLOW` from a GraphQL enum is accepted).
 * A policy over a size limit (POLICY_LIMITS) is refused with issues naming the limit; over the
 * statement or per-policy specifier count, that is the only issue (nothing else is examined).
 */
export function validatePolicy(input: unknown): PolicyValidation {
  if (!Array.isArray(input)) {
    return { ok: false, issues: [{ statement: -1, field: 'statement', message: 'a policy must be a list of statements' }] };
  }
  const policyIssue = (message: string): PolicyValidation => ({ ok: false, issues: [{ statement: -1, field: 'statement', message }] });
  if (input.length > POLICY_LIMITS.statements) {
    return policyIssue(`at most ${POLICY_LIMITS.statements} statements in a policy (found ${input.length})`);
  }
  const total = (a: ListField, b: ListField) =>
    input.reduce<number>((sum, raw: unknown) => sum + (isRecord(raw) ? listLength(raw[a]) + listLength(raw[b]) : 0), 0);
  const specifiers = total('resources', 'notResources');
  if (specifiers > POLICY_LIMITS.resourcesPerPolicy) {
    return policyIssue(`at most ${POLICY_LIMITS.resourcesPerPolicy} resource specifiers in a policy, resources and notResources together (found ${specifiers})`);
  }
  const actions = total('actions', 'notActions');
  if (actions > POLICY_LIMITS.actionsPerPolicy) {
    return policyIssue(`at most ${POLICY_LIMITS.actionsPerPolicy} action names in a policy, actions and notActions together (found ${actions})`);
  }
  const issues: PolicyIssue[] = [];
  const policy: Statement[] = [];
  input.forEach((raw: unknown, index) => {
    const before = issues.length;
    const statement = validateStatement(raw, index, issues);
    if (statement !== undefined && issues.length === before) policy.push(statement);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, policy };
}

function validateStatement(raw: unknown, index: number, issues: PolicyIssue[]): Statement | undefined {
  if (!isRecord(raw)) {
    issues.push({ statement: index, field: 'statement', message: 'a statement must be an object' });
    return undefined;
  }
  for (const field of Object.keys(raw)) {
    if (!FIELDS.has(field) && raw[field] !== undefined) {
      issues.push({ statement: index, field: 'statement', message: `unknown field "${field}"` });
    }
  }

  const effectRaw = raw['effect'];
  const effect = typeof effectRaw === 'string' ? effectRaw.toLowerCase() : undefined;
  if (effect !== 'allow' && effect !== 'deny') {
    issues.push({ statement: index, field: 'effect', message: 'effect must be "allow" or "deny"' });
  }

  const actions = readList(raw, 'actions', index, issues);
  const notActions = readList(raw, 'notActions', index, issues);
  const resources = readList(raw, 'resources', index, issues);
  const notResources = readList(raw, 'notResources', index, issues);
  const has = (f: ListField) => raw[f] !== undefined && raw[f] !== null;

  if (has('actions') && has('notActions')) {
    issues.push({ statement: index, field: 'notActions', message: 'give either actions or notActions, not both' });
  } else if (!has('actions') && !has('notActions')) {
    issues.push({ statement: index, field: 'actions', message: 'one of actions or notActions is required' });
  }
  if (has('resources') && has('notResources')) {
    issues.push({ statement: index, field: 'notResources', message: 'give either resources or notResources, not both' });
  } else if (!has('resources') && !has('notResources')) {
    issues.push({ statement: index, field: 'resources', message: 'one of resources or notResources is required' });
  }

  // Resource types the statement can apply to: those named in `resources`, or every type.
  let referenced: ResourceType[] = [...RESOURCE_TYPES];
  const resourceField: ListField = resources !== undefined ? 'resources' : 'notResources';
  const specs = resources ?? notResources ?? [];
  const named = new Set<ResourceType>();
  let anyType = false;
  specs.forEach((spec, i) => {
    const refuse = (message: string) => issues.push({ statement: index, field: resourceField, element: i, message: `${resourceField}[${i}]: ${message}` });
    if (spec.length > POLICY_LIMITS.specifierLength) {
      refuse(`at most ${POLICY_LIMITS.specifierLength} characters in a resource specifier (found ${spec.length})`);
      return;
    }
    const parsed = parseResourceSpecifier(spec);
    const over = parsed.ok ? specifierOverLimit(parsed.value) : null;
    if (!parsed.ok) refuse(parsed.message);
    else if (over !== null) refuse(over);
    else if (parsed.value.kind === 'any') anyType = true;
    else named.add(parsed.value.resourceType);
  });
  if (resources !== undefined && !anyType && named.size > 0) referenced = RESOURCE_TYPES.filter((t) => named.has(t));

  const actionField: ListField = actions !== undefined ? 'actions' : 'notActions';
  // The distinct catalogue names of those types, computed once per statement (not per action).
  const candidates = [...new Set(ACTION_CATALOG.filter((a) => referenced.includes(a.resourceType)).map((a) => a.action))];
  (actions ?? notActions ?? []).forEach((action, i) => {
    if (action.length > POLICY_LIMITS.actionLength) {
      issues.push({
        statement: index,
        field: actionField,
        element: i,
        message: `${actionField}[${i}]: at most ${POLICY_LIMITS.actionLength} characters in an action name (found ${action.length})`,
      });
      return;
    }
    if (!ACTION_PATTERN.test(action)) {
      issues.push({
        statement: index,
        field: actionField,
        element: i,
        message: `${actionField}[${i}]: "${action}" is not an action name (letters and digits, "*" as a glob)`,
      });
      return;
    }
    const globs = globCount(action);
    if (globs > POLICY_LIMITS.globsPerName) {
      issues.push({
        statement: index,
        field: actionField,
        element: i,
        message: `${actionField}[${i}]: at most ${POLICY_LIMITS.globsPerName} "*" globs in one action name (found ${globs})`,
      });
      return;
    }
    const matcher = new GlobMatcher(globFromText(action));
    const known = candidates.some((name) => matcher.test(name));
    if (!known) {
      const where = referenced.length === RESOURCE_TYPES.length ? 'any resource type' : referenced.join(', ');
      issues.push({
        statement: index,
        field: actionField,
        element: i,
        message: action.includes('*')
          ? `${actionField}[${i}]: "${action}" matches no action of ${where}`
          : `${actionField}[${i}]: unknown action "${action}" for ${where}`,
      });
    }
  });

  if (effect !== 'allow' && effect !== 'deny') return undefined;
  const statement: Statement = { effect };
  if (actions !== undefined) statement.actions = actions;
  if (notActions !== undefined) statement.notActions = notActions;
  if (resources !== undefined) statement.resources = resources;
  if (notResources !== undefined) statement.notResources = notResources;
  return statement;
}

/** One-line text form of a statement, for explanations. */
export function describeStatement(s: Statement): string {
  const actions = s.actions !== undefined ? s.actions.join(', ') : `every action except ${(s.notActions ?? []).join(', ')}`;
  const resources =
    s.resources !== undefined ? s.resources.join(', ') : `every resource except ${(s.notResources ?? []).join(', ')}`;
  return `${s.effect} ${actions} on ${resources}`;
}
