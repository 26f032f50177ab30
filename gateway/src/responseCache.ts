import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import ApolloServerPluginResponseCache, {
  type ApolloServerPluginResponseCacheOptions,
} from '@apollo/server-plugin-response-cache';
import type { Logger, Redis } from '@heartfelt/kit';
import type { GatewayContext } from './context';

type KeyValueCache = NonNullable<ApolloServerPluginResponseCacheOptions<GatewayContext>['cache']>;
type KeyValueCacheSetOptions = NonNullable<Parameters<KeyValueCache['set']>[2]>;

/** Prefix of every Redis key the response cache writes. */
const KEY_PREFIX = 'response:';

/**
 * Stores whole responses in the cache Redis. Every Redis failure counts as a miss or a skipped
 * write, so a cache outage costs the subgraph fetches a hit would have saved, never a request.
 * The Redis client from createCacheRedis fails fast and logs once per outage.
 */
export class RedisResponseStore implements KeyValueCache {
  constructor(private readonly redis: Redis) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(KEY_PREFIX + key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    // The plugin passes the response's maxAge; a response without one is not worth storing.
    const ttlSeconds = options?.ttl ?? 0;
    if (ttlSeconds <= 0) return;
    try {
      await this.redis.set(KEY_PREFIX + key, value, 'EX', ttlSeconds);
    } catch {
      // A skipped write only costs a later miss.
    }
  }

  async delete(key: string): Promise<boolean | void> {
    try {
      await this.redis.del(KEY_PREFIX + key);
    } catch {
      // The entry expires by its TTL.
    }
  }
}

/**
 * Per-user generation numbers that are part of every private cache key. A mutation by a user
 * increments theirs, so none of the responses cached for them before the write can be read
 * afterwards, and the orphaned entries expire by their TTL.
 */
export class UserCacheGenerations {
  constructor(private readonly redis: Redis) {}

  private key(userId: string): string {
    return `${KEY_PREFIX}generation:${userId}`;
  }

  /** Returns the user's current generation, or null when Redis is unavailable. */
  async current(userId: string): Promise<string | null> {
    try {
      return (await this.redis.get(this.key(userId))) ?? '0';
    } catch {
      return null;
    }
  }

  /** Makes every response cached for the user so far unreachable. */
  async advance(userId: string): Promise<void> {
    try {
      await this.redis.incr(this.key(userId));
    } catch {
      // NOTE: a write while Redis is down cannot advance the generation, so entries cached
      // before the outage can be read for up to their maxAge once Redis returns.
    }
  }
}

function userIdOf(requestContext: GraphQLRequestContext<GatewayContext>): string | null {
  return requestContext.contextValue.identity.userId;
}

function isQuery(requestContext: GraphQLRequestContext<GatewayContext>): boolean {
  return requestContext.operation?.operation === 'query';
}

/**
 * Marks every response to a mutation (or subscription) `no-store`, whatever its subgraphs sent.
 * Apollo Server 5 installs its cache control plugin after the plugins given to the server, and
 * that plugin keeps an existing `no-store` header.
 */
export function noStoreForWritesPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          if (requestContext.operation && !isQuery(requestContext)) {
            requestContext.response.http.headers.set('cache-control', 'no-store');
          }
        },
      };
    },
  };
}

/** Options of {@link responseCachePlugins}. */
export interface ResponseCacheOptions {
  redis: Redis;
  logger: Logger;
}

/**
 * Caches whole query responses in Redis under the policy the subgraphs' Cache-Control headers
 * add up to. Public responses are shared by everyone. A response with any private field is
 * stored only for a signed-in user. Its key contains the verified user id and that user's
 * generation, so another token never reaches it, and the user's next mutation makes it
 * unreachable. Mutations and responses with errors are never stored.
 */
export function responseCachePlugins(
  options: ResponseCacheOptions,
): Array<ApolloServerPlugin<GatewayContext>> {
  const generations = new UserCacheGenerations(options.redis);

  // The user's generation, read once per request and used by both the cache read and write.
  const generationOfRequest = new WeakMap<object, Promise<string | null>>();
  const generationFor = (requestContext: GraphQLRequestContext<GatewayContext>) => {
    const userId = userIdOf(requestContext);
    if (userId === null) return Promise.resolve(null);
    let generation = generationOfRequest.get(requestContext.request);
    if (!generation) {
      generation = generations.current(userId);
      generationOfRequest.set(requestContext.request, generation);
    }
    return generation;
  };
  // Without the user's generation a private entry could predate their last write, so when it
  // cannot be read the cache is neither read nor written for that request.
  const canUseCache = async (requestContext: GraphQLRequestContext<GatewayContext>) =>
    userIdOf(requestContext) === null || (await generationFor(requestContext)) !== null;

  const cachePlugin = ApolloServerPluginResponseCache<GatewayContext>({
    cache: new RedisResponseStore(options.redis),
    // The plugin puts the session id in the key of every private entry and stores private
    // responses only when there is one.
    sessionId: async (requestContext) => userIdOf(requestContext),
    extraCacheKeyData: async (requestContext) => ({
      generation: await generationFor(requestContext),
    }),
    shouldReadFromCache: canUseCache,
    shouldWriteToCache: canUseCache,
  });

  const invalidationPlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          const userId = userIdOf(requestContext);
          if (!requestContext.operation || isQuery(requestContext) || userId === null) return;
          // Advanced after the write and before the client sees the response, so the client's
          // next query cannot read an entry cached before the write.
          await generations.advance(userId);
        },
      };
    },
  };

  options.logger.info('response cache on');
  return [cachePlugin, invalidationPlugin];
}
