import { ErrorCode, expectedError, hasScopes, type Identity } from '@heartfelt/kit';
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  isAbstractType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { AccessRequirement, SupergraphPolicies } from './supergraphPolicies';

/**
 * Returns the operation with the fragments it spreads, directly or through other fragments, so
 * that a check covers every selection the operation can make and nothing of other operations.
 */
export function operationWithFragments(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): DocumentNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const used = new Map<string, FragmentDefinitionNode>();
  const pending: Array<OperationDefinitionNode | FragmentDefinitionNode> = [operation];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(node) {
        const fragment = fragments.get(node.name.value);
        if (fragment && !used.has(node.name.value)) {
          used.set(node.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return { kind: Kind.DOCUMENT, definitions: [operation, ...used.values()] };
}

/** The types a selection on `type` may return at run time: the type or its implementations. */
function concreteTypes(schema: GraphQLSchema, type: GraphQLNamedType): readonly GraphQLNamedType[] {
  return isAbstractType(type) ? [type, ...schema.getPossibleTypes(type)] : [type];
}

/**
 * Checks an operation against the supergraph's `@authenticated` and `@requiresScopes` before
 * any subgraph is called. A field is checked with its own requirement and the requirement of
 * the type it returns. On an interface or union, every possible type counts: selecting
 * `Node.secret` needs what each implementation's `secret` needs, because the caller cannot know
 * which one comes back. Returns the first violation as UNAUTHENTICATED or FORBIDDEN, or null.
 */
export function checkAccess(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  policies: SupergraphPolicies,
  identity: Identity,
): GraphQLError | null {
  const typeInfo = new TypeInfo(schema);
  let violation: GraphQLError | null = null;

  const check = (coordinate: string, requirement: AccessRequirement | undefined) => {
    if (!requirement || violation) return;
    if (requirement.authenticated && identity.userId === null) {
      violation = expectedError(
        ErrorCode.Unauthenticated,
        `${coordinate} needs a signed-in user: send "Authorization: Bearer <token>" from logIn.`,
        { coordinate, http: { status: 401 } },
      );
      return;
    }
    const missing = requirement.scopes.find((alternatives) => !hasScopes(identity, alternatives));
    if (missing) {
      const needed = missing.map((scopes) => scopes.join(' and ')).join(', or ');
      violation = expectedError(
        ErrorCode.Forbidden,
        `${coordinate} needs the scope ${needed}, which this caller was not granted.`,
        { coordinate, http: { status: 403 } },
      );
    }
  };

  visit(
    operationWithFragments(document, operation),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field || violation) return;
        const fieldName = node.name.value;
        for (const owner of concreteTypes(schema, parent)) {
          const coordinate = `${owner.name}.${fieldName}`;
          check(coordinate, policies.requirements.get(coordinate));
        }
        for (const returned of concreteTypes(schema, getNamedType(field.type))) {
          check(returned.name, policies.requirements.get(returned.name));
        }
      },
    }),
  );
  return violation;
}
