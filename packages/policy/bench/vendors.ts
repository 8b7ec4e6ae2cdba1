/**
 * The libraries bench/policy.ts compares against. They are devDependencies of this package,
 * so they resolve from here and not from the workspace root.
 */
export { createMongoAbility, subject, AbilityBuilder, type MongoAbility } from '@casl/ability';
export { newEnforcer, newModelFromString, type Enforcer } from 'casbin';
