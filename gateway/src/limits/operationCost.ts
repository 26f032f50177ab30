import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  Kind,
  validate,
  visit,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

const costs = new WeakMap<OperationDefinitionNode, number>();
// Costs that depend on variables, per request's variables object, so that the cost limit and
// the rate limit of one request measure once.
const costsByVariables = new WeakMap<Record<string, unknown>, number>();

const isPageSize = (argument: ArgumentNode) =>
  argument.name.value === 'first' || argument.name.value === 'last';

/** Returns true when some `first` or `last` in the document is given by a variable. */
function hasVariablePageSize(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Argument(argument) {
      if (isPageSize(argument) && argument.value.kind === Kind.VARIABLE) found = true;
    },
  });
  return found;
}

/**
 * Replaces `first: $n` and `last: $n` by the integer the request passes, or else by the
 * variable's default, for measuring.
 */
function inlinePageSizes(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): DocumentNode {
  const defaults = new Map<string, number>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue?.kind === Kind.INT) {
      defaults.set(definition.variable.name.value, Number(definition.defaultValue.value));
    }
  }
  return visit(document, {
    Argument(argument) {
      if (!isPageSize(argument) || argument.value.kind !== Kind.VARIABLE) return undefined;
      const name = argument.value.name.value;
      const value = name in variables ? variables[name] : defaults.get(name);
      // Invalid sizes are left to the subgraph, which rejects them with BAD_USER_INPUT.
      if (!Number.isInteger(value) || (value as number) < 1) return undefined;
      return { ...argument, value: { kind: Kind.INT, value: String(value) } };
    },
  });
}

/**
 * Computes the cost of the operation that a request runs, with graphql-armor's own cost rule so
 * that the rate limit charges what the cost limit checks: objects 2, scalars 1, each level of
 * nesting multiplying by 1.5, and `first` or `last` multiplying its field. Unlike armor's
 * validation, page sizes passed as variables count too. The result is rounded up, because
 * Redis counters take integers. Costs of documents without variable page sizes are cached per
 * parsed operation, which Apollo Server reuses for repeated documents.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): number {
  const cached = costs.get(operation) ?? costsByVariables.get(variables);
  if (cached !== undefined) return cached;

  // Only the operation that runs and the fragments are measured, not the document's others.
  let measured: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: document.definitions.filter(
      (definition) => definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION,
    ),
  };
  const variablePageSizes = hasVariablePageSize(measured);
  if (variablePageSizes) measured = inlinePageSizes(measured, operation, variables);

  let cost = 0;
  validate(schema, measured, [
    costLimitRule({
      maxCost: Number.POSITIVE_INFINITY,
      onAccept: [(_context, details: { n: number }) => (cost = details.n)],
    }),
  ]);
  cost = Math.max(0, Math.ceil(cost));
  if (variablePageSizes) costsByVariables.set(variables, cost);
  else costs.set(operation, cost);
  return cost;
}
