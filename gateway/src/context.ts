import type { IncomingMessage } from 'node:http';
import type { GatewayExplain } from './explain';
import {
  HttpError,
  InvalidTokenError,
  verifyAccessTokenClaims,
  type Identity,
} from '@heartfelt/kit';

/** The gateway's per-request context: who is calling, as verified from their token. */
export interface GatewayContext {
  identity: Identity;
  /** Set when an operator asked for explain mode with the admin token. */
  explain?: GatewayExplain | null;
  /** The client's IP address (see TRUST_PROXY_HOPS); per-IP limits are keyed by it. */
  clientAddress: string;
}

/**
 * Verifies the bearer token of a request. No token means an anonymous caller; a token that
 * fails verification is rejected with 401 rather than silently treated as anonymous.
 */
export async function identify(req: IncomingMessage, jwtSecret: string): Promise<Identity> {
  const header = req.headers.authorization;
  if (!header) return { userId: null };
  // HTTP authentication scheme names are case-insensitive.
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/i.exec(header);
  if (!match) {
    throw new HttpError(
      401,
      'Authorization header must be "Bearer <token>" or "ApiKey <key>".',
      'UNAUTHENTICATED',
    );
  }
  try {
    return await verifyAccessTokenClaims(match[1]!, jwtSecret);
  } catch (error) {
    if (error instanceof InvalidTokenError) {
      throw new HttpError(
        401,
        'Access token is invalid or expired; log in again.',
        'UNAUTHENTICATED',
      );
    }
    throw error;
  }
}
