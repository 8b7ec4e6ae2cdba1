import SchemaBuilder, { BasePlugin, type PothosInputFieldConfig, type PothosOutputFieldConfig, type PothosTypeConfig, type SchemaTypes } from '@pothos/core';

/**
 * Descriptions of the schema's structural parts, written once here instead of on every connection:
 * Relay connections, edges and PageInfo, the pagination arguments, every mutation's `input`
 * argument and every Node's `id`. Concept files describe everything else (what it is, who may see
 * it, which action guards it); `pnpm lint` (graphql-eslint `require-description`) checks none is missing.
 */

const thing = (typeName: string, suffix: string) => typeName.slice(0, -suffix.length).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

function typeDescription(config: PothosTypeConfig): string | undefined {
  const { name } = config;
  if (name.endsWith('Connection')) {
    return `A page of ${thing(name, 'Connection')} items (Relay connection), holding only what you may see: \`nodes\` (or \`edges\` with cursors), \`pageInfo\` to ask for the next page, \`totalCount\` for all pages.`;
  }
  if (name.endsWith('Edge')) return `One ${thing(name, 'Edge')} in a page, with the cursor to page on from it.`;
  if (name === 'PageInfo') return 'Where a page sits in its list, and the cursors to ask for the pages around it.';
  return undefined;
}

const OUTPUT_FIELDS: Record<string, string> = {
  'Connection.edges': 'The items of this page, each with its cursor.',
  'Connection.nodes': "The items of this page (the edges' nodes), for clients that need no cursors.",
  'Connection.pageInfo': 'How to ask for the next or the previous page.',
  'Edge.cursor': "This item's position in its list (opaque). A cursor belongs to its list: another list's is BAD_USER_INPUT.",
  'Edge.node': 'The item.',
  'PageInfo.hasNextPage': 'Whether another page follows: ask for it with `after: endCursor`.',
  'PageInfo.hasPreviousPage': 'Whether a page comes before this one: ask for it with `before: startCursor` and `last`.',
  'PageInfo.startCursor': "The first item's cursor (null on an empty page).",
  'PageInfo.endCursor': "The last item's cursor (null on an empty page).",
};

function outputFieldDescription(config: PothosOutputFieldConfig<SchemaTypes>): string | undefined {
  const parent = config.parentType.endsWith('Connection') ? 'Connection' : config.parentType.endsWith('Edge') ? 'Edge' : config.parentType;
  const known = OUTPUT_FIELDS[`${parent}.${config.name}`];
  if (known) return known;
  if (config.name === 'id' && config.kind !== 'Query' && config.kind !== 'Mutation' && config.parentType !== 'Viewer') {
    return `The ${thing(`${config.parentType}X`, 'X')}'s global id: opaque and stable; \`node(id:)\` returns the object to whoever may see it.`;
  }
  return undefined;
}

const ARGS: Record<string, string> = {
  first: 'How many items from the start (or from `after`): 0 to 100, default 20. More than 100 is BAD_USER_INPUT.',
  after: 'The cursor of the item to start after (`pageInfo.endCursor` of the previous page).',
  last: 'How many items from the end (or before `before`): 0 to 100. Give `first` or `last`, not both.',
  before: 'The cursor of the item to end before (`pageInfo.startCursor` of the next page).',
};

function argDescription(config: PothosInputFieldConfig<SchemaTypes>): string | undefined {
  if (config.kind !== 'Arg') return undefined;
  if (config.name === 'input' && config.parentType === 'Mutation') return `What ${config.parentField ?? 'the mutation'} should do; see the input type's fields.`;
  return ARGS[config.name];
}

export class StructuralDescriptionsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onTypeConfig(typeConfig: PothosTypeConfig): PothosTypeConfig {
    return typeConfig.description ? typeConfig : { ...typeConfig, description: typeDescription(typeConfig) };
  }

  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (fieldConfig.description) return fieldConfig;
    const description = outputFieldDescription(fieldConfig as unknown as PothosOutputFieldConfig<SchemaTypes>);
    return description ? { ...fieldConfig, description } : fieldConfig;
  }

  override onInputFieldConfig(fieldConfig: PothosInputFieldConfig<Types>): PothosInputFieldConfig<Types> {
    if (fieldConfig.description) return fieldConfig;
    const description = argDescription(fieldConfig as unknown as PothosInputFieldConfig<SchemaTypes>);
    return description ? { ...fieldConfig, description } : fieldConfig;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      structuralDescriptions: StructuralDescriptionsPlugin<Types>;
    }
  }
}
SchemaBuilder.registerPlugin('structuralDescriptions', StructuralDescriptionsPlugin);
