import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { Kind, print, visit, type DocumentNode } from 'graphql';
import { tracer } from './tracer';

/** Operation spans in flight. */
const operationSpans = new WeakSet<Span>();

/**
 * Returns the active span when it is an operation span. Apollo Server runs plugin hooks in
 * the request's async context, where the operation span is the active one.
 */
function activeOperationSpan(): Span | undefined {
  const span = trace.getActiveSpan();
  return span && operationSpans.has(span) && span.isRecording() ? span : undefined;
}

/**
 * Runs `execute`, one GraphQL request over HTTP, inside an operation span. The span is named
 * `graphql.operation` until {@link operationSpanPlugin} learns the operation, then
 * `<type> <name>` (such as `query Dashboard`), as OpenTelemetry's GraphQL conventions name it.
 */
export async function withOperationSpan<Result>(execute: () => Promise<Result>): Promise<Result> {
  return tracer.startActiveSpan('graphql.operation', { kind: SpanKind.INTERNAL }, async (span) => {
    operationSpans.add(span);
    try {
      return await execute();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      operationSpans.delete(span);
      span.end();
    }
  });
}

/** Returns the document with every literal value blanked, so it carries no input data. */
export function documentWithoutValues(document: DocumentNode): string {
  return print(
    visit(document, {
      StringValue: () => ({ kind: Kind.STRING, value: '' }),
      IntValue: () => ({ kind: Kind.INT, value: '0' }),
      FloatValue: () => ({ kind: Kind.FLOAT, value: '0' }),
    }),
  );
}

/**
 * Names the operation span and adds `graphql.operation.type`, `graphql.operation.name` and,
 * when `includeDocument` is set, `graphql.document` without literal values. Variables are never
 * recorded.
 */
export function operationSpanPlugin(options: {
  includeDocument: boolean;
}): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, operationName, document }) {
          const span = activeOperationSpan();
          if (!span || !operation) return;
          const type = operation.operation;
          span.updateName(operationName ? `${type} ${operationName}` : type);
          span.setAttribute('graphql.operation.type', type);
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
          if (options.includeDocument) {
            span.setAttribute('graphql.document', documentWithoutValues(document));
          }
        },
        async didEncounterErrors({ errors }) {
          const span = activeOperationSpan();
          if (!span) return;
          const codes = new Set(
            errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')),
          );
          span.setAttribute('graphql.error.codes', [...codes]);
        },
      };
    },
  };
}
