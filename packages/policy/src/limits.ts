/**
 * Bounded work: the documented size limits of a policy. `validatePolicy` refuses anything over
 * them (one issue naming the limit and the element), so every policy the server stores or
 * checks — inline token policies, custom roles — is within them, and the engine's worst case
 * (compile, decide, contains) stays in milliseconds. Generous for real roles (LaunchDarkly's
 * are tens of statements of tens of specifiers), far below what a 100 kB request could carry.
 * README.md "Limits" explains each one and bench/worst-case.ts measures the worst policy.
 */
export const POLICY_LIMITS = Object.freeze({
  /** Statements in one policy. */
  statements: 50,
  /** Items in one statement's `actions` or `notActions`. */
  actionsPerStatement: 50,
  /**
   * Action names (`actions` and `notActions`) of all statements of one policy together. Each is
   * tested against the catalogue when validated and compiled, so this bounds that linear work.
   */
  actionsPerPolicy: 500,
  /** Items in one statement's `resources` or `notResources`. */
  resourcesPerStatement: 50,
  /**
   * Resource specifiers (`resources` and `notResources`) of all statements of one policy
   * together. `contains` compares patterns pairwise, so this is the limit its cost grows with.
   */
  resourcesPerPolicy: 100,
  /** Characters in one resource specifier (a 64-character key in each of three segments fits). */
  specifierLength: 256,
  /** Characters in one action name or action glob (the longest catalogue name has 28). */
  actionLength: 64,
  /** `*` globs (runs of `*`) in one key, one tag of a tag filter, or one action name. */
  globsPerName: 8,
  /** Tags in the tag filter of one segment (`;t1,t2`: all of them are required). */
  tagsPerSegment: 5,
  /** `${roleAttribute/…}` references in one resource specifier. */
  attributeReferencesPerSpecifier: 2,
  /**
   * Patterns one grant may expand to once the member's role-attribute values are substituted
   * (a specifier with references stands for one pattern per combination of values). Attribute
   * values are the member's, not the policy's, so this is checked at compile time: a grant over
   * it grants nothing. Dropping a whole grant only ever removes permissions (deny wins only
   * inside a grant), so decisions and `contains` stay sound.
   */
  patternsPerGrant: 150,
});

export type PolicyLimits = typeof POLICY_LIMITS;
