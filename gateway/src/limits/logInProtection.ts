import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, badUserInput, type Logger } from '@heartfelt/kit';
import {
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { GraphQLError } from 'graphql';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { GatewayContext } from '../context';
import type { LimitMetrics } from './limitMetrics';

const LOG_IN_FIELD = 'logIn';
const DAY_SECONDS = 86_400;

export interface LogInProtectionOptions {
  /** Creates a limiter of `points` per `durationSeconds`, stored under `name`. */
  limiterFor: (name: string, points: number, durationSeconds: number) => RateLimiterAbstract;
  maxConsecutiveFailures: number;
  lockoutSeconds: number;
  maxAttemptsPerIp: number;
  logger: Logger;
  metrics: LimitMetrics;
}

/**
 * Collects the logIn fields an operation would run, by response key. Fields with the same
 * response key are merged by GraphQL and run once, so only distinct aliases count.
 */
function collectLogInFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  found: Map<string, FieldNode>,
  visited: Set<string> = new Set(),
): Map<string, FieldNode> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === LOG_IN_FIELD) {
        found.set(selection.alias?.value ?? selection.name.value, selection);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectLogInFields(selection.selectionSet, fragments, found, visited);
    } else if (!visited.has(selection.name.value)) {
      visited.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) collectLogInFields(fragment.selectionSet, fragments, found, visited);
    }
  }
  return found;
}

function lockedOut(message: string, retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`${message} Retry after ${retryAfterSeconds} seconds.`, {
    extensions: {
      code: ErrorCode.RateLimited,
      retryAfterSeconds,
      http: {
        status: 429,
        headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]),
      },
    },
  });
}

/** Reads the email a logIn field is called with, normalized as the users subgraph stores it. */
function emailOf(
  schema: GraphQLSchema,
  field: FieldNode,
  variables: Record<string, unknown> | undefined,
): string | null {
  const definition = schema.getMutationType()?.getFields()[LOG_IN_FIELD];
  if (!definition) return null;
  try {
    const args = getArgumentValues(definition, field, variables);
    const email = (args.input as { email?: unknown } | undefined)?.email;
    return typeof email === 'string' ? email.trim().toLowerCase() : null;
  } catch {
    // Invalid arguments fail in execution with BAD_USER_INPUT, so there is no attempt to count.
    return null;
  }
}

const secondsUntil = (result: RateLimiterRes) => Math.max(1, Math.ceil(result.msBeforeNext / 1000));

/**
 * Slows down password guessing at logIn:
 *
 * - An operation may contain one logIn field: aliases would otherwise try many passwords in
 *   one request.
 * - Every attempt counts against the client IP (LOGIN_MAX_ATTEMPTS_PER_IP an hour) and
 *   against the email; a successful logIn clears the email's count. After
 *   LOGIN_MAX_CONSECUTIVE_FAILURES failures in a row the email is locked out for
 *   LOGIN_LOCKOUT_SECONDS, doubling with each further lockout that day.
 *
 * Attempts are counted before the password is checked, so parallel guesses cannot slip in
 * between a failure and its count. Locked-out requests get HTTP 429, RATE_LIMITED and
 * Retry-After, and never reach the users subgraph. When Redis is unreachable the attempt is
 * let through, logged once and counted in `heartfelt_rate_limit_store_errors_total`.
 *
 * NOTE: a lockout is per email, so an attacker can keep someone's password login locked by
 * failing on purpose. The doubling lockout bounds their guesses but not that nuisance.
 */
export function logInProtectionPlugin(
  options: LogInProtectionOptions,
): ApolloServerPlugin<GatewayContext> {
  const { logger, metrics } = options;
  const perIp = options.limiterFor('login-ip', options.maxAttemptsPerIp, 3600);
  const perEmail = options.limiterFor('login-email', options.maxConsecutiveFailures, DAY_SECONDS);
  // Counts lockouts per email in a day for the doubling. Its limit is never reached.
  const lockouts = options.limiterFor('login-lockouts', 1_000_000, DAY_SECONDS);
  let storeDown = false;

  const lockEmail = async (email: string): Promise<number> => {
    const count = (await lockouts.consume(email)).consumedPoints;
    const seconds = Math.min(DAY_SECONDS, options.lockoutSeconds * 2 ** (count - 1));
    await perEmail.block(email, seconds);
    logger.warn({ lockoutSeconds: seconds, lockouts: count }, 'logIn locked out for an email');
    return seconds;
  };

  return {
    async requestDidStart({ contextValue }) {
      let attempt: { email: string; responseKey: string } | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (operation?.operation !== 'mutation') return;
          const fragments = new Map(
            document.definitions
              .filter((node) => node.kind === Kind.FRAGMENT_DEFINITION)
              .map((node) => [node.name.value, node] as const),
          );
          const fields = collectLogInFields(operation.selectionSet, fragments, new Map());
          if (fields.size === 0) return;
          if (fields.size > 1) {
            const error = badUserInput(
              `An operation may contain one logIn field; this one contains ${fields.size}.`,
            );
            error.extensions.http = { status: 400 };
            throw error;
          }
          const [responseKey, field] = [...fields][0]!;
          const email = emailOf(schema, field, request.variables);
          if (email === null) return;

          try {
            await perIp.consume(contextValue.clientAddress);
          } catch (error) {
            if (!(error instanceof RateLimiterRes)) return storeUnreachable(error);
            metrics.rejections.inc({ limit: 'login-ip' });
            throw lockedOut('Too many logIn attempts from this address.', secondsUntil(error));
          }
          try {
            await perEmail.consume(email);
          } catch (error) {
            if (!(error instanceof RateLimiterRes)) return storeUnreachable(error);
            metrics.rejections.inc({ limit: 'login-email' });
            // The first attempt past the limit starts a lockout, and later ones wait it out.
            const seconds =
              error.consumedPoints === options.maxConsecutiveFailures + 1
                ? await lockEmail(email)
                : secondsUntil(error);
            throw lockedOut('Too many failed logIn attempts for this email.', seconds);
          }
          storeDown = false;
          attempt = { email, responseKey };
        },
        async willSendResponse({ response }) {
          if (!attempt || response.body.kind !== 'single') return;
          const data = response.body.singleResult.data;
          if (data?.[attempt.responseKey]) {
            await perEmail.delete(attempt.email).catch((error: unknown) => {
              logger.warn({ err: error }, 'could not clear the failed logIn count');
            });
          }
        },
      };

      function storeUnreachable(error: unknown): void {
        metrics.storeErrors.inc({ limit: 'login' });
        if (!storeDown) {
          logger.warn(
            { err: error },
            'rate-limit store unreachable, so logIn attempts are not counted',
          );
        }
        storeDown = true;
      }
    },
  };
}
