import type { IncomingMessage, ServerResponse } from 'node:http';
import { GATEWAY_TOKEN_HEADER, type GatewayTokenCache, type RouteHandler } from '@heartfelt/kit';
import type { Agent } from 'undici';
import { identify } from './context';

/** Request headers passed on to the subgraph; nothing else from the client is forwarded. */
const forwardedRequestHeaders = ['content-type', 'content-length', 'accept', 'if-none-match'];
/** Response headers passed back to the client. */
const forwardedResponseHeaders = [
  'content-type',
  'content-length',
  'cache-control',
  'etag',
  'location',
  'content-disposition',
];

/**
 * Creates a handler that forwards a non-GraphQL request (a recipient's card page, a photo
 * upload) to a subgraph's own route on the same path, so that clients only ever talk to the
 * gateway's origin. The caller's token is verified here and replaced by the gateway's signed
 * identity, exactly as for GraphQL fetches.
 */
export function forwardToSubgraph(options: {
  subgraph: string;
  origin: string;
  agent: Agent;
  tokens: GatewayTokenCache;
  jwtSecret: string;
}): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const identity = await identify(req, options.jwtSecret);
    const headers: Record<string, string> = {
      [GATEWAY_TOKEN_HEADER]: await options.tokens.tokenFor(identity, options.subgraph),
    };
    for (const name of forwardedRequestHeaders) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const method = req.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const response = await options.agent.request({
      origin: options.origin,
      path: req.url ?? '/',
      method: method as 'GET',
      headers,
      body: hasBody ? req : undefined,
    });

    res.statusCode = response.statusCode;
    for (const name of forwardedResponseHeaders) {
      const value = response.headers[name];
      if (value !== undefined) res.setHeader(name, value);
    }
    // A subgraph may respond before reading the whole body (an oversized upload). The unread
    // rest would then be taken as the next request on this keep-alive connection, so the
    // connection is closed after this response instead.
    const bodyUnread = hasBody && !req.readableEnded;
    if (bodyUnread) res.setHeader('connection', 'close');
    for await (const chunk of response.body) res.write(chunk);
    res.end();
    if (bodyUnread) req.destroy();
  };
}
