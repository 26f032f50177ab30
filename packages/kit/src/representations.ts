import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { badUserInput } from './errors';

/** Deepest nesting accepted in a representation. The graph's keys and @requires fields are all flat. */
const MAX_REPRESENTATION_DEPTH = 4;

/**
 * Rejects a representation that could change a store query: a field name starting with "$"
 * (a MongoDB operator such as `{ id: { $ne: null } }`), an `id` that is not a string, or
 * nesting deeper than any key of the graph needs. `_Any` accepts any JSON, so without this
 * check the value would reach a repository's filter as it came.
 */
export function checkRepresentation(value: unknown, depth = 0): void {
  if (value === null || typeof value !== 'object') return;
  if (depth > MAX_REPRESENTATION_DEPTH) {
    throw badUserInput('Representation is nested too deeply.', 'representations');
  }
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
  for (const [key, field] of entries) {
    if (typeof key === 'string' && key.startsWith('$')) {
      throw badUserInput(
        `Representation field names must not start with "$", received "${key.slice(0, 32)}".`,
        'representations',
      );
    }
    if (key === 'id' && typeof field !== 'string') {
      throw badUserInput('Representation "id" must be a string.', 'representations');
    }
    checkRepresentation(field, depth + 1);
  }
}

/** Wraps the `_entities` resolver of a subgraph schema so that every representation is checked. */
export function guardEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  if (!field?.resolve) return schema;
  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve;
  field.resolve = (source, args: { representations?: unknown[] }, context, info) => {
    for (const representation of args.representations ?? []) checkRepresentation(representation);
    return resolve(source, args, context, info);
  };
  return schema;
}
