import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { ErrorCode, expectedError, type Logger } from '@heartfelt/kit';
import {
  GraphQLError,
  execute,
  specifiedRules,
  validate,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { GatewayContext } from '../context';
import { checkAccess, operationWithFragments } from './accessCheck';
import { buildPartnerSchema } from './partnerContract';
import { operationId, type PersistedOperation } from './persistedOperations';
import { readSupergraphPolicies, type SupergraphPolicies } from './supergraphPolicies';

/** The security view of the current supergraph, replaced whenever the gateway reloads it. */
interface SchemaPolicies {
  policies: SupergraphPolicies;
  partnerSchema: GraphQLSchema;
}

/** Options of {@link authorizationPlugin}. */
export interface AuthorizationPluginOptions {
  /** Registers a callback for each supergraph the gateway loads (ApolloGateway's hook). */
  onSchemaLoadOrUpdate: (
    callback: (schema: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void,
  ) => unknown;
  /** The safelist manifest by operation id. */
  safelist: ReadonlyMap<string, PersistedOperation>;
  logger: Logger;
}

function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every(
    (selection) => selection.kind === 'Field' && selection.name.value.startsWith('__'),
  );
}

function selectsIntrospection(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.some(
    (selection) =>
      selection.kind === 'Field' &&
      (selection.name.value === '__schema' || selection.name.value === '__type'),
  );
}

function isPartner(requestContext: GraphQLRequestContext<GatewayContext>): boolean {
  return requestContext.contextValue.identity.partnerKeyId !== undefined;
}

/**
 * Enforces who may run what, after parsing and validation and before any subgraph is called:
 *
 * 1. A partner key marked safelist-only runs only documents whose SHA-256 is in the manifest.
 * 2. Partners are validated against the partner schema, which lacks what is tagged `internal`,
 *    and their introspection is executed against that schema.
 * 3. `@authenticated` and `@requiresScopes` from the supergraph are checked for every caller.
 *
 * A request that names a manifest id without a document gets the manifest's document, for any
 * caller, so clients may send ids only for the operations in `schema/operations/`.
 */
export function authorizationPlugin(
  options: AuthorizationPluginOptions,
): ApolloServerPlugin<GatewayContext> {
  let current: SchemaPolicies | undefined;
  options.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    try {
      const policies = readSupergraphPolicies(coreSupergraphSdl);
      current = { policies, partnerSchema: buildPartnerSchema(apiSchema, policies.internal) };
      options.logger.info(
        { protectedCoordinates: policies.requirements.size, internal: policies.internal.size },
        'read the security policies of the supergraph',
      );
    } catch (error) {
      // Without policies every operation is rejected below rather than run unchecked.
      current = undefined;
      options.logger.error(
        { err: error },
        'could not read the security policies of the supergraph',
      );
    }
  });

  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const { identity } = requestContext.contextValue;
          const operation = requestContext.operation!;
          if (identity.safelistOnly && !options.safelist.has(operationId(requestContext.source))) {
            throw expectedError(
              ErrorCode.PersistedQueryNotInSafelist,
              'This API key may run only the operations in the safelist manifest; send one of them, by id or by its exact text.',
              { http: { status: 403 } },
            );
          }
          if (!current) {
            throw new GraphQLError('The gateway has no security policies loaded.', {
              extensions: { code: ErrorCode.InternalServerError },
            });
          }
          if (isPartner(requestContext)) {
            const errors = validate(
              current.partnerSchema,
              operationWithFragments(requestContext.document, operation),
              specifiedRules,
            );
            if (errors.length > 0) {
              throw new GraphQLError(errors[0]!.message, {
                nodes: errors[0]!.nodes,
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
              });
            }
            if (selectsIntrospection(operation) && !isIntrospectionOnly(operation)) {
              throw expectedError(
                ErrorCode.BadUserInput,
                'Send introspection fields in an operation of their own.',
                { http: { status: 400 } },
              );
            }
          }
          const violation = checkAccess(
            requestContext.schema,
            requestContext.document,
            operation,
            current.policies,
            identity,
          );
          if (violation) throw violation;
        },

        async responseForOperation(requestContext) {
          const operation = requestContext.operation!;
          if (!current || !isPartner(requestContext) || !selectsIntrospection(operation)) {
            return null;
          }
          // The gateway would otherwise resolve introspection from the full API schema.
          const result = await execute({
            schema: current.partnerSchema,
            document: requestContext.document,
            operationName: requestContext.operationName,
            variableValues: requestContext.request.variables,
          });
          return {
            http: requestContext.response.http,
            body: { kind: 'single', singleResult: result },
          };
        },
      };
    },
  };
}

/**
 * Fills in the document of a request that sends only the id of a manifest operation. It runs
 * in requestDidStart, before Apollo Server looks the id up in its APQ cache.
 */
export function safelistLookupPlugin(
  safelist: ReadonlyMap<string, PersistedOperation>,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request }) {
      const persisted = request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
      if (request.query !== undefined || typeof persisted?.sha256Hash !== 'string') return;
      const listed = safelist.get(persisted.sha256Hash);
      if (listed) request.query = listed.body;
    },
  };
}
