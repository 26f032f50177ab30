import type { IncomingMessage } from 'node:http';
import { HttpError, type Identity } from '@heartfelt/kit';
import { identify } from '../context';
import type { PartnerKeyResolver } from './partnerKeys';

const API_KEY_SCHEME = /^ApiKey (\S{1,256})$/i;

/**
 * Builds the caller's identity from one credential: a user's `Authorization: Bearer <token>`,
 * or a partner's `Authorization: ApiKey <key>` or `x-api-key: <key>`. No credential means an
 * anonymous caller. A credential that fails verification, or both kinds at once, gets 401.
 */
export function callerIdentifier(options: { jwtSecret: string; partnerKeys: PartnerKeyResolver }) {
  return async (req: IncomingMessage): Promise<Identity> => {
    const authorization = req.headers.authorization;
    const headerKey = req.headers['x-api-key'];
    const schemeKey = authorization ? API_KEY_SCHEME.exec(authorization)?.[1] : undefined;

    if (headerKey !== undefined && authorization !== undefined) {
      throw new HttpError(
        401,
        'Send one credential: either an Authorization header or an x-api-key header.',
        'UNAUTHENTICATED',
      );
    }
    if (typeof headerKey === 'string') return options.partnerKeys.resolve(headerKey);
    if (headerKey !== undefined)
      throw new HttpError(401, 'Send one x-api-key header.', 'UNAUTHENTICATED');
    if (schemeKey !== undefined) return options.partnerKeys.resolve(schemeKey);
    return identify(req, options.jwtSecret);
  };
}
