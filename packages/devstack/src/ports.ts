import net from 'node:net';

/**
 * Finds a TCP port on 127.0.0.1 that is free right now, by binding port 0 and reading the port
 * the operating system picked.
 *
 * NOTE: the port is released before this returns, so another process can take it before the
 * caller binds it. Start the server soon after calling this.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`Expected a TCP address from the probe socket, got ${String(address)}`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
