import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity, SubgraphRouteHandler } from '@heartfelt/kit';
import type { PartnerKeyService } from './partnerKeys';

/** Path of the route the gateway resolves partner keys with. Clients cannot reach it. */
export const PARTNER_KEY_VERIFY_PATH = '/internal/partner-keys/verify';

const MAX_BODY_BYTES = 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readKey(req: IncomingMessage): Promise<string | null> {
  let raw = '';
  for await (const chunk of req) {
    raw += (chunk as Buffer).toString('utf8');
    if (raw.length > MAX_BODY_BYTES) return null;
  }
  try {
    const body = JSON.parse(raw) as { key?: unknown };
    return typeof body.key === 'string' ? body.key : null;
  } catch {
    return null;
  }
}

/**
 * Handles `POST /internal/partner-keys/verify` with `{"key": "<key>"}`: 200 with the key's
 * identity, or 404 for an unknown, revoked or malformed key. The kit has already checked the
 * gateway's signature, and a signature made for a partner key is not accepted here, so only the
 * gateway can resolve keys.
 */
export function partnerKeyVerifyRoute(partnerKeys: PartnerKeyService): SubgraphRouteHandler {
  return async (req: IncomingMessage, res: ServerResponse, identity: Identity) => {
    if (req.method !== 'POST') return send(res, 405, { error: { code: 'METHOD_NOT_ALLOWED' } });
    if (identity.partnerKeyId !== undefined || identity.userId !== null) {
      return send(res, 403, { error: { code: 'FORBIDDEN' } });
    }
    const key = await readKey(req);
    const verified = key === null ? null : await partnerKeys.verify(key);
    if (verified === null) return send(res, 404, { error: { code: 'NOT_FOUND' } });
    send(res, 200, { identity: verified });
  };
}
