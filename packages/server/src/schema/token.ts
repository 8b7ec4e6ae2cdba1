import { validatePolicy, type PolicyIssue, type Statement as PolicyStatement } from '@latchkey/policy';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';

/**
 * Access tokens. Also the home of the policy-language GraphQL types (`Effect`, `Statement`,
 * `StatementInput`) and `toPolicyStatements`, which roles import from here.
 */

export const EffectEnum = builder.enumType('Effect', {
  values: { ALLOW: { value: 'allow' }, DENY: { value: 'deny' } } as const,
});

/** One statement of a policy: an effect, exactly one of actions/notActions, exactly one of resources/notResources. */
export const Statement = builder.objectRef<PolicyStatement>('Statement').implement({
  description: 'Allows or denies actions on resources. Exactly one of actions/notActions and one of resources/notResources is set.',
  fields: (t) => ({
    effect: t.field({ type: EffectEnum, resolve: (s) => s.effect }),
    actions: t.stringList({ nullable: true, resolve: (s) => s.actions ?? null }),
    notActions: t.stringList({ nullable: true, resolve: (s) => s.notActions ?? null }),
    resources: t.stringList({ nullable: true, resolve: (s) => s.resources ?? null }),
    notResources: t.stringList({ nullable: true, resolve: (s) => s.notResources ?? null }),
  }),
});

export const StatementInput = builder.inputType('StatementInput', {
  description: 'A policy statement: give exactly one of actions/notActions and exactly one of resources/notResources.',
  fields: (t) => ({
    effect: t.field({ type: EffectEnum, required: true }),
    actions: t.stringList(),
    notActions: t.stringList(),
    resources: t.stringList(),
    notResources: t.stringList(),
  }),
});

/** The GraphQL input shape of one statement (what `StatementInput` resolves to). */
export interface StatementInputValue {
  effect: 'allow' | 'deny';
  actions?: readonly string[] | null;
  notActions?: readonly string[] | null;
  resources?: readonly string[] | null;
  notResources?: readonly string[] | null;
}

/**
 * Validates statements given through GraphQL and returns them as a policy for the engine.
 * Throws BAD_USER_INPUT naming the first offending path, e.g. `inlinePolicy[1].resources`
 * (`field` is the input field the list came from); every issue is listed in `extensions.issues`.
 * An empty list is valid here (it grants nothing); callers that need a statement say so.
 */
export function toPolicyStatements(input: readonly StatementInputValue[], field = 'policy'): PolicyStatement[] {
  const result = validatePolicy(input);
  if (result.ok) return result.policy;
  const pathOf = (issue: PolicyIssue) =>
    issue.statement < 0 ? field : issue.field === 'statement' ? `${field}[${issue.statement}]` : `${field}[${issue.statement}].${issue.field}`;
  const [first] = result.issues;
  if (!first) throw badInput(field, 'is not a valid policy');
  throw badInput(pathOf(first), first.message, { issues: result.issues.map((i) => ({ path: pathOf(i), message: i.message })) });
}
