import type { MongoClient } from 'mongodb';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Exposes the driver's connection pool in metrics, from its connection pool monitoring events:
 * open and checked-out connections, the pool's maximum, how long requests waited for a
 * connection and why checkouts failed. With several servers (a replica set or several
 * routers) the numbers are sums over their pools.
 */
export function watchConnectionPool(
  client: MongoClient,
  registry: Registry,
  maxPoolSize: number,
): void {
  const open = new Gauge({
    name: 'heartfelt_store_pool_open_connections',
    help: 'Connections the store driver holds open, checked out or idle.',
    registers: [registry],
  });
  const checkedOut = new Gauge({
    name: 'heartfelt_store_pool_checked_out_connections',
    help: 'Connections of the store driver that an operation is using.',
    registers: [registry],
  });
  const max = new Gauge({
    name: 'heartfelt_store_pool_max_connections',
    help: 'Largest number of connections the store driver opens per server (maxPoolSize).',
    registers: [registry],
  });
  const checkoutWait = new Histogram({
    name: 'heartfelt_store_pool_checkout_wait_seconds',
    help: 'Time an operation waited for a store connection, in seconds.',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const checkoutFailures = new Counter({
    name: 'heartfelt_store_pool_checkout_failures_total',
    help: 'Failed store connection checkouts, by the driver reason (timeout, connectionError, poolClosed).',
    labelNames: ['reason'],
    registers: [registry],
  });
  max.set(maxPoolSize);

  client.on('connectionCreated', () => open.inc());
  client.on('connectionClosed', () => open.dec());
  client.on('connectionCheckedOut', (event) => {
    checkedOut.inc();
    checkoutWait.observe(event.durationMS / 1000);
  });
  client.on('connectionCheckedIn', () => checkedOut.dec());
  client.on('connectionCheckOutFailed', (event) => {
    checkoutFailures.inc({ reason: event.reason });
    checkoutWait.observe(event.durationMS / 1000);
  });
}
