import type { IncomingMessage } from 'node:http';
import type { ApolloGateway } from '@apollo/gateway';
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import type { GatewayTokenCache, Identity, Logger, Redis } from '@heartfelt/kit';
import type { Agent } from 'undici';
import type { GatewayConfig } from '../config';
import type { GatewayContext } from '../context';
import { authorizationPlugin, safelistLookupPlugin } from './authorizationPlugin';
import { callerIdentifier } from './identifyCaller';
import { PartnerKeyResolver } from './partnerKeys';
import { RedisPersistedQueryStore, loadSafelist } from './persistedOperations';
import { acceptEnforcedSecurityFeatures } from './securityFeatures';

/** The gateway's authentication and authorization, wired from its configuration. */
export interface GatewayAuth {
  /** Builds the caller's identity from the request's credential; raises 401 for a bad one. */
  identify(req: IncomingMessage): Promise<Identity>;
  /** Apollo Server's APQ option: in the cache Redis when there is one, else in memory. */
  persistedQueries: ApolloServerOptions<GatewayContext>['persistedQueries'];
  /** The plugins that enforce the safelist, the partner contract and the directives. */
  plugins(gateway: ApolloGateway): Array<ApolloServerPlugin<GatewayContext>>;
}

export function createAuth(options: {
  config: GatewayConfig;
  tokens: GatewayTokenCache;
  agent: Agent;
  redis: Redis | undefined;
  logger: Logger;
}): GatewayAuth {
  const { config, redis, logger } = options;
  const safelist = loadSafelist(config.PERSISTED_OPERATIONS_PATH);
  const partnerKeys = new PartnerKeyResolver({
    usersUrl: config.subgraphUrls.users ?? 'http://127.0.0.1:4001/graphql',
    tokens: options.tokens,
    agent: options.agent,
    redis,
    cacheTtlSeconds: config.PARTNER_KEY_CACHE_TTL_SECONDS,
    logger,
  });
  return {
    identify: callerIdentifier({ jwtSecret: config.JWT_SECRET, partnerKeys }),
    persistedQueries: redis
      ? {
          cache: new RedisPersistedQueryStore(redis, config.APQ_TTL_SECONDS),
          ttl: config.APQ_TTL_SECONDS,
        }
      : { ttl: config.APQ_TTL_SECONDS },
    plugins: (gateway) => {
      acceptEnforcedSecurityFeatures();
      return [
        safelistLookupPlugin(safelist),
        authorizationPlugin({
          onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
          safelist,
          logger,
        }),
      ];
    },
  };
}
