import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  Kind,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

const costs = new WeakMap<OperationDefinitionNode, number>();

/**
 * Computes the cost of the operation that a request runs, with graphql-armor's own cost rule so
 * that the rate limit charges exactly what the cost limit checks: objects 2, scalars 1, each
 * level of nesting multiplying by 1.5, and a literal `first` multiplying its field. The result
 * is rounded up to a whole number, because Redis counters take integers. Costs are cached per
 * parsed operation, which Apollo Server reuses for repeated documents.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): number {
  const cached = costs.get(operation);
  if (cached !== undefined) return cached;

  // Only the operation that runs and the fragments are measured, not the document's others.
  const single: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: document.definitions.filter(
      (definition) => definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION,
    ),
  };
  let cost = 0;
  validate(schema, single, [
    costLimitRule({
      maxCost: Number.POSITIVE_INFINITY,
      onAccept: [(_context, details: { n: number }) => (cost = details.n)],
    }),
  ]);
  cost = Math.ceil(cost);
  costs.set(operation, cost);
  return cost;
}
