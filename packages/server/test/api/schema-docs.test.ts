import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';

/**
 * Issue 13 point 4: GraphiQL's docs explorer shows a description for every type, field, argument
 * and enum value (`pnpm lint` checks the printed schema the same way with graphql-eslint).
 */

interface Described {
  name: string;
  description?: string | null;
}
interface TypeLike extends Described {
  getFields?: () => Record<string, Described & { args?: readonly Described[] }>;
  getValues?: () => readonly Described[];
}

function undescribed(): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap()) as TypeLike[]) {
    if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
    if (!type.description) missing.push(type.name);
    for (const field of Object.values(type.getFields?.() ?? {})) {
      if (!field.description) missing.push(`${type.name}.${field.name}`);
      for (const arg of field.args ?? []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
    }
    for (const value of type.getValues?.() ?? []) if (!value.description) missing.push(`${type.name}.${value.name}`);
  }
  return missing;
}

describe('the schema is documented', () => {
  it('every type, field, argument and enum value has a description', () => {
    expect(undescribed()).toEqual([]);
  });

  it('root fields and mutations say which action guards them', () => {
    const mutation = schema.getMutationType() as unknown as TypeLike;
    const guarded = Object.values(mutation.getFields?.() ?? {}).filter((f) => !['login', 'logout', 'signUp', 'acceptInvite', 'revokeSession'].includes(f.name));
    const silent = guarded.filter((f) => !/action|owner|session|FORBIDDEN/i.test(f.description ?? '')).map((f) => f.name);
    expect(silent).toEqual([]);
  });
});
