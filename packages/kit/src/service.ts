import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { DocumentNode } from 'graphql';
import type { z } from 'zod';
import {
  fieldsWithResolvers,
  maskUnexpectedErrors,
  operationMetricsPlugin,
  requestLogPlugin,
  resolverMetricsPlugin,
} from './apolloPlugins';
import { loadConfig, serviceSettings } from './config';
import { EntityCache } from './entityCache';
import { HttpError, startHttpServer } from './httpServer';
import { createLogger, type Logger } from './logger';
import { createMetrics, type ServiceMetrics } from './metrics';
import { createCacheRedis, type Redis } from './redis';
import { faultSettings, faultsFrom, type Faults } from './faults';
import { guardEntityRepresentations } from './representations';
import { drainOnTerminationSignal } from './shutdown';
import { operationSpanPlugin } from './telemetry/operationSpan';
import { instrumentResolvers } from './telemetry/resolverSpans';
import {
  activeTelemetrySettings,
  isTracingEnabled,
  resolverSampleRecorder,
} from './telemetry/start';
import { connectStore, type Store } from './store';
import { GATEWAY_TOKEN_HEADER, InvalidTokenError, readGatewayToken, type Identity } from './tokens';
import { ExplainRecorder, explainResponsePlugin } from './explain';
import { currentRequestScope } from './requestScope';

/** Settings every service has, parsed. */
export type ServiceConfig = z.infer<z.ZodObject<ReturnType<typeof serviceSettings>>>;

/** Resources every subgraph process shares: validated config, logger, metrics, store and cache. */
export interface ServiceKit<Extra extends z.ZodRawShape = Record<never, never>> {
  name: string;
  config: ServiceConfig;
  /** The service's own settings, parsed from `extraSettings`. */
  settings: z.infer<z.ZodObject<Extra>>;
  logger: Logger;
  metrics: ServiceMetrics;
  store: Store;
  redis: Redis;
  cache: EntityCache;
  /** Faults injected for tests (FAULT_* settings); none in production. */
  faults: Faults;
  /** Registers a step of graceful shutdown; steps run in reverse order of registration. */
  onShutdown(step: () => Promise<void>): void;
  /** Runs the registered shutdown steps, logging (not raising) the ones that fail. */
  runShutdown(): Promise<void>;
}

/** The part of every subgraph's GraphQL context that the kit fills in. */
export interface BaseContext {
  identity: Identity;
  logger: Logger;
}

/**
 * Validates configuration, then connects the store and the cache Redis. A configuration error
 * is printed as one readable message and the process exits with status 78 (EX_CONFIG).
 */
export async function createServiceKit<Extra extends z.ZodRawShape>(
  name: string,
  defaultPort: number,
  extraSettings: Extra,
): Promise<ServiceKit<Extra>> {
  let config: ServiceConfig;
  let settings: z.infer<z.ZodObject<Extra>>;
  let faults: Faults;
  try {
    const all = loadConfig({ ...serviceSettings(defaultPort), ...extraSettings });
    config = all as unknown as ServiceConfig;
    settings = all as unknown as z.infer<z.ZodObject<Extra>>;
    faults = faultsFrom(loadConfig(faultSettings));
  } catch (error) {
    process.stderr.write(`${name}: ${(error as Error).message}\n`);
    process.exit(78);
  }

  const logger = createLogger(name, config.LOG_LEVEL);
  const metrics = createMetrics(name);
  const shutdownSteps: Array<() => Promise<void>> = [];

  const store = await connectStore({
    url: config.MONGO_URL,
    dbName: config.MONGO_DB,
    appName: name,
    logger,
    metrics,
  });
  shutdownSteps.push(() => store.close());

  const redis = createCacheRedis(config.REDIS_URL, logger);
  shutdownSteps.push(async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  const cache = new EntityCache(redis, metrics, config.ENTITY_CACHE_TTL_SECONDS);

  // Resolver span samples go to the cache Redis for the slow-resolver report. Registered after
  // the Redis client's own step, so the last samples are written before it disconnects.
  const recorder = resolverSampleRecorder();
  if (recorder) {
    recorder.attach(redis);
    shutdownSteps.push(() => recorder.shutdown());
  }

  return {
    name,
    config,
    settings,
    logger,
    metrics,
    store,
    redis,
    cache,
    faults,
    onShutdown: (step) => shutdownSteps.push(step),
    async runShutdown() {
      for (const step of [...shutdownSteps].reverse()) {
        await step().catch((error: unknown) => logger.warn({ err: error }, 'shutdown step failed'));
      }
    },
  };
}

/** Options of {@link startSubgraph}. */
export interface SubgraphOptions<Context extends BaseContext> {
  typeDefs: DocumentNode;
  /** Resolver map, typed by the subgraph's generated `Resolvers` type. */
  resolvers: object;
  /** Builds the request context from the verified identity. */
  context: (base: BaseContext) => Context;
  /**
   * Non-GraphQL routes by path prefix (for example `/c/`), reached through the gateway's
   * origin. Like GraphQL requests, they must carry the gateway's signature, and the handler
   * receives the identity it vouches for.
   */
  routes?: Record<string, SubgraphRouteHandler>;
}

/** Handler of a subgraph's own HTTP route, called after the gateway signature is verified. */
export type SubgraphRouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  identity: Identity,
) => Promise<void> | void;

/**
 * Starts a subgraph: the federated schema on Apollo Server, served over HTTP. Every GraphQL request must carry a token signed by the gateway for this subgraph. A request without one gets 401 before its body is read, `_entities` and `_service` included.
 */
export async function startSubgraph<Context extends BaseContext, Extra extends z.ZodRawShape>(
  kit: ServiceKit<Extra>,
  options: SubgraphOptions<Context>,
): Promise<void> {
  const { logger, config } = kit;
  const schema = buildSubgraphSchema([
    { typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> },
  ]);
  // Taken before fault delays give plain fields a resolver of their own.
  const timedResolvers = fieldsWithResolvers(schema);
  instrumentResolvers(schema, {
    traced: isTracingEnabled(),
    delaysMs: kit.faults.resolverDelaysMs,
  });
  const apollo = new ApolloServer<Context>({
    schema: guardEntityRepresentations(schema),
    formatError: maskUnexpectedErrors(logger),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Shutdown is ours: Apollo would otherwise stop itself on SIGTERM, racing the drain.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      // Sends the response's Cache-Control header computed from the schema's @cacheControl
      // hints. The gateway restricts its overall policy by each subgraph's header, so a root or
      // object-typed field without a hint (maxAge 0) makes the whole response no-store.
      ApolloServerPluginCacheControl({ defaultMaxAge: 0, calculateHttpHeaders: true }),
      operationMetricsPlugin(kit.metrics),
      operationSpanPlugin({
        includeDocument: activeTelemetrySettings()?.TRACE_GRAPHQL_DOCUMENT ?? false,
      }),
      resolverMetricsPlugin(kit.metrics, timedResolvers),
      requestLogPlugin(logger),
      explainResponsePlugin(),
    ],
  });
  await apollo.start();

  const authenticate = async (req: IncomingMessage): Promise<Identity> => {
    const token = req.headers[GATEWAY_TOKEN_HEADER];
    if (typeof token !== 'string') {
      throw new HttpError(401, 'Missing gateway signature.', 'UNAUTHENTICATED');
    }
    try {
      const claims = await readGatewayToken(token, kit.name, config.SUBGRAPH_SIGNING_SECRET);
      const scope = currentRequestScope();
      if (scope) {
        scope.subgraph = kit.name;
        if (claims.explain) scope.explain = new ExplainRecorder();
      }
      return claims.identity;
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        throw new HttpError(401, 'Invalid gateway signature.', 'UNAUTHENTICATED');
      }
      throw error;
    }
  };

  const http = await startHttpServer<Context>({
    apollo,
    logger,
    metrics: kit.metrics,
    host: config.HOST,
    port: config.PORT,
    prefixRoutes: Object.fromEntries(
      Object.entries(options.routes ?? {}).map(([prefix, handler]) => [
        prefix,
        async (req: IncomingMessage, res: ServerResponse) =>
          handler(req, res, await authenticate(req)),
      ]),
    ),
    readiness: {
      store: () => kit.store.ping(),
      cache: () => kit.redis.ping(),
    },
    context: async (req) => {
      const identity = await authenticate(req);
      return options.context({ identity, logger });
    },
  });
  logger.info({ port: http.port }, 'subgraph listening');

  drainOnTerminationSignal(logger, async (signal) => {
    logger.info({ signal }, 'draining requests before shutdown');
    await http.close();
    await apollo.stop();
    await kit.runShutdown();
  });
}
