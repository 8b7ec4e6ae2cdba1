/** @latchkey/policy: the policy language and decision engine. Pure: no I/O, no clock. */
export {
  ACTION_CATALOG,
  RESOURCE_TYPES,
  actionInfo,
  actionsFor,
  isKnownAction,
  isResourceType,
  type ActionInfo,
  type ActionName,
  type ActionOf,
  type ResourceType,
} from './actions.ts';
export {
  parseResourceName,
  parseResourceSpecifier,
  resourceTypeOf,
  type KeyToken,
  type ParsedResource,
  type ParsedSegment,
  type ResourceName,
  type SegmentType,
} from './resources.ts';
export {
  describeStatement,
  validatePolicy,
  type Effect,
  type Policy,
  type PolicyIssue,
  type PolicyValidation,
  type Statement,
} from './statements.ts';
export {
  BASE_ROLES,
  baseRoleGrant,
  baseRolePolicy,
  baseRoleRank,
  customRoleGrant,
  isBaseRole,
  type BaseRole,
  type CustomRoleInput,
  type Grant,
  type RoleAttributes,
} from './roles.ts';
export {
  CompiledPrincipal,
  compile,
  decide,
  decideToken,
  isAllowed,
  isTokenAllowed,
  type AccessRequest,
  type Decision,
  type DecidingStatement,
  type TokenDecision,
} from './evaluate.ts';
export { PrincipalCache } from './cache.ts';
export { contains, type Containment, type ContainmentSide } from './contains.ts';
export { POLICY_LIMITS, type PolicyLimits } from './limits.ts';
