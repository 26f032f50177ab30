import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity, SubgraphRouteHandler } from '@heartfelt/kit';
import type { PartnerKeyService } from './partnerKeys';

/** Path of the route the gateway resolves partner keys with. Clients cannot reach it. */
export const PARTNER_KEY_LOOKUP_PATH = '/internal/partner-keys/lookup';

const MAX_BODY_BYTES = 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readKeyId(req: IncomingMessage): Promise<string | null> {
  let raw = '';
  for await (const chunk of req) {
    raw += (chunk as Buffer).toString('utf8');
    if (raw.length > MAX_BODY_BYTES) return null;
  }
  try {
    const body = JSON.parse(raw) as { keyId?: unknown };
    return typeof body.keyId === 'string' ? body.keyId : null;
  } catch {
    return null;
  }
}

/**
 * Handles `POST /internal/partner-keys/lookup` with `{"keyId": "pk_…"}`: 200 with the key's
 * secret hash and identity, or 404 for an unknown or revoked key. The gateway compares the
 * hash, so the secret never leaves it. The kit has already checked the gateway's signature, and
 * only a signature for an anonymous caller is accepted here.
 */
export function partnerKeyLookupRoute(partnerKeys: PartnerKeyService): SubgraphRouteHandler {
  return async (req: IncomingMessage, res: ServerResponse, identity: Identity) => {
    if (req.method !== 'POST') return send(res, 405, { error: { code: 'METHOD_NOT_ALLOWED' } });
    if (identity.partnerKeyId !== undefined || identity.userId !== null) {
      return send(res, 403, { error: { code: 'FORBIDDEN' } });
    }
    const keyId = await readKeyId(req);
    const record = keyId === null ? null : await partnerKeys.lookup(keyId);
    if (record === null) return send(res, 404, { error: { code: 'NOT_FOUND' } });
    send(res, 200, record);
  };
}
