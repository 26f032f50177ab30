import './tracing';
import './disableApolloTelemetry';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import {
  activeTelemetrySettings,
  ConfigError,
  GatewayTokenCache,
  createCacheRedis,
  createLogger,
  createMetrics,
  drainOnTerminationSignal,
  operationMetricsPlugin,
  operationSpanPlugin,
  requestLogPlugin,
  startHttpServer,
} from '@heartfelt/kit';
import { adminQueueRoutes } from './adminQueues';
import { slowResolverRoutes } from './adminSlowResolvers';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { createAuth } from './auth/createAuth';
import type { GatewayContext } from './context';
import { formatGatewayError } from './errors';
import { explainFor, explainPlugin, recordQueryPlan } from './explain';
import { clientAddress } from './limits/clientAddress';
import { createRateLimits } from './limits/rateLimits';
import { variableCostLimitPlugin } from './limits/variableCostLimit';
import { hideSuggestionsPlugin } from './transport/hideSuggestionsPlugin';
import { legacyJsonStatusPlugin } from './transport/jsonStatusPlugin';
import { explorerPage, explorerRoutes } from './explorer';
import { createGatewayMetrics, responseCacheMetricsPlugin } from './gatewayMetrics';
import { noStoreForWritesPlugin, responseCachePlugins } from './responseCache';
import { SignedSubgraphDataSource, createSubgraphAgent } from './subgraphDataSource';
import { forwardToSubgraph } from './subgraphRoutes';
import { supergraphFromFile } from './supergraphFile';

function readConfig(): GatewayConfig {
  try {
    return loadGatewayConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`gateway: ${error.message}\n`);
    process.exit(78);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const metrics = createMetrics('gateway');
  const gatewayMetrics = createGatewayMetrics(metrics.registry);
  const tokens = new GatewayTokenCache(config.SUBGRAPH_SIGNING_SECRET);
  const agent = createSubgraphAgent(config.SUBGRAPH_CONNECTIONS);
  const redis = config.REDIS_URL ? createCacheRedis(config.REDIS_URL, logger) : undefined;
  const cacheRedis = config.responseCacheRedisUrl ? redis : undefined;
  // The slow-resolver report reads the cache Redis even when the response cache is off.
  const reportRedis = config.ADMIN_TOKEN ? redis : undefined;
  const auth = createAuth({ config, tokens, agent, redis, logger });
  const includeDocument = activeTelemetrySettings()?.TRACE_GRAPHQL_DOCUMENT ?? false;
  const rateLimits = createRateLimits(config, logger, metrics);

  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile({
      path: config.SUPERGRAPH_PATH,
      pollIntervalMs: config.SUPERGRAPH_POLL_INTERVAL_MS,
      logger,
    }),
    buildService: ({ name, url }) => {
      const target = config.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`No URL for subgraph "${name}": set ${name.toUpperCase()}_URL.`);
      return new SignedSubgraphDataSource(name, target, tokens, agent, logger, gatewayMetrics);
    },
    experimental_didResolveQueryPlan: recordQueryPlan,
    logger,
    // @apollo/gateway's own spans (gateway.request, gateway.plan, gateway.fetch …). Exception
    // messages stay out of them, because a message can echo input values.
    telemetry: { includeDocument, recordExceptions: false },
  });

  // Operation limits, checked before any query plan reaches a subgraph. The token limit is
  // graphql-js's own parse option: with armor's Apollo token plugin a long document gets HTTP
  // 500, with the parser's syntax error it gets 400 and GRAPHQL_PARSE_FAILED.
  const armor = new ApolloArmor({
    maxDepth: { n: config.MAX_DEPTH },
    maxAliases: { n: config.MAX_ALIASES },
    maxDirectives: { n: config.MAX_DIRECTIVES },
    maxTokens: { enabled: false },
    costLimit: { maxCost: config.MAX_COST },
    // "Did you mean" hints map the schema for anyone when introspection is off.
    blockFieldSuggestion: { enabled: config.NODE_ENV === 'production' },
  }).protect();

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: config.MAX_TOKENS },
    formatError: formatGatewayError(logger),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Shutdown is ours: Apollo would otherwise stop itself on SIGTERM, racing the drain.
    stopOnTerminationSignals: false,
    introspection: config.NODE_ENV !== 'production',
    persistedQueries: auth.persistedQueries,
    plugins: [
      ...auth.plugins(gateway),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      operationMetricsPlugin(metrics),
      operationSpanPlugin({ includeDocument }),
      requestLogPlugin(logger),
      responseCacheMetricsPlugin(gatewayMetrics),
      explainPlugin(),
      noStoreForWritesPlugin(),
      ...(cacheRedis ? responseCachePlugins({ redis: cacheRedis, logger }) : []),
      ...armor.plugins,
      variableCostLimitPlugin<GatewayContext>(config.MAX_COST),
      ...rateLimits.plugins,
      ...(config.NODE_ENV === 'production' ? [hideSuggestionsPlugin<GatewayContext>()] : []),
      legacyJsonStatusPlugin(),
    ],
  });
  await apollo.start();
  await rateLimits.waitUntilReady(5000);

  const adminQueues = adminQueueRoutes({
    adminToken: config.ADMIN_TOKEN,
    queueRedisUrl: config.QUEUE_REDIS_URL,
    logger,
  });

  const http = await startHttpServer<GatewayContext>({
    apollo,
    logger,
    metrics,
    host: config.HOST,
    port: config.PORT,
    maxBodyBytes: config.MAX_BODY_BYTES,
    routes: config.EXPLORER_ENABLED ? explorerRoutes() : {},
    // The operator view of the queues, when configured. The recipient's card page and photo
    // uploads belong to the cards subgraph.
    prefixRoutes: {
      ...adminQueues.prefixRoutes,
      ...slowResolverRoutes({ adminToken: config.ADMIN_TOKEN, redis: reportRedis, logger }),
      ...Object.fromEntries(
        ['/c/', '/cards/', '/photos/'].map((prefix) => [
          prefix,
          forwardToSubgraph({
            subgraph: 'cards',
            origin: new URL(config.subgraphUrls.cards ?? 'http://127.0.0.1:4002/graphql').origin,
            agent,
            tokens,
            jwtSecret: config.JWT_SECRET,
          }),
        ]),
      ),
    },
    graphqlHtmlPage: config.EXPLORER_ENABLED ? explorerPage : undefined,
    readiness: {},
    context: async (req) => ({
      identity: await auth.identify(req),
      explain: explainFor(req, config.ADMIN_TOKEN),
      clientAddress: clientAddress(req, config.TRUST_PROXY_HOPS),
    }),
  });
  logger.info(
    { port: http.port, url: `http://${config.HOST}:${http.port}/graphql` },
    'gateway listening',
  );

  drainOnTerminationSignal(logger, async (signal) => {
    logger.info({ signal }, 'draining requests before shutdown');
    await http.close();
    await apollo.stop();
    await agent.close();
    await adminQueues.close();
    await rateLimits.close();
    await redis?.quit().catch(() => redis.disconnect());
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
