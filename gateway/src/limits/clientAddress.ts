import type { IncomingMessage } from 'node:http';

/**
 * Returns the client's IP address. With `trustedProxyHops` 0 it is the socket's peer address,
 * so a client cannot choose its own address. With n trusted hops, the gateway runs behind n
 * proxies that each append to X-Forwarded-For, and the address the outermost of them received
 * the request from is taken: the n-th entry from the right, counting the socket's peer.
 */
export function clientAddress(req: IncomingMessage, trustedProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxyHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedProxyHops)]!;
}
