/**
 * Statements and their validation. A statement has an effect, exactly one of
 * `actions`/`notActions` and exactly one of `resources`/`notResources`. Validation returns a
 * tagged result with one issue per problem: which statement, which field, what is wrong.
 */
import { ACTION_CATALOG, RESOURCE_TYPES, type ResourceType } from './actions.ts';
import { GlobMatcher, globFromText } from './glob.ts';
import { parseResourceSpecifier } from './resources.ts';

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
 */
export function validatePolicy(input: unknown): PolicyValidation {
  if (!Array.isArray(input)) {
    return { ok: false, issues: [{ statement: -1, field: 'statement', message: 'a policy must be a list of statements' }] };
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
    const parsed = parseResourceSpecifier(spec);
    if (!parsed.ok) {
      issues.push({ statement: index, field: resourceField, element: i, message: `${resourceField}[${i}]: ${parsed.message}` });
    } else if (parsed.value.kind === 'any') anyType = true;
    else named.add(parsed.value.resourceType);
  });
  if (resources !== undefined && !anyType && named.size > 0) referenced = RESOURCE_TYPES.filter((t) => named.has(t));

  const actionField: ListField = actions !== undefined ? 'actions' : 'notActions';
  (actions ?? notActions ?? []).forEach((action, i) => {
    if (!ACTION_PATTERN.test(action)) {
      issues.push({
        statement: index,
        field: actionField,
        element: i,
        message: `${actionField}[${i}]: "${action}" is not an action name (letters and digits, "*" as a glob)`,
      });
      return;
    }
    const matcher = new GlobMatcher(globFromText(action));
    const known = ACTION_CATALOG.some((a) => referenced.includes(a.resourceType) && matcher.test(a.action));
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
