import './workerTracing';
import { createServiceKit, QueueName, runWorkers, workerSettings } from '@heartfelt/kit';
import { paymentEventProcessor } from './jobs/applyPaymentEvent';
import { OrderRepository } from './repository/orders';
import { PaymentEventRepository } from './repository/paymentEvents';

/** payments-worker: applies the payment events on the `payment-events` queue to orders. */
async function main(): Promise<void> {
  const kit = await createServiceKit('payments-worker', 4105, workerSettings);

  const orders = new OrderRepository(kit.store.db, kit.cache);
  const events = new PaymentEventRepository(kit.store.db);
  await orders.ensureIndexes();
  await events.ensureIndexes();

  await runWorkers(kit, [
    {
      queue: QueueName.PaymentEvents,
      processor: paymentEventProcessor({ orders, events, logger: kit.logger }),
      // NOTE: FerretDB 1.24 does not check an update's filter atomically with its write: of 20
      // concurrent conditional updates of one order, up to 20 matched and some writes were
      // lost (SQLite and PostgreSQL backends alike). One event at a time keeps two deliveries
      // of an event from racing there. MongoDB applies each single-document update
      // atomically, so higher concurrency is safe on it.
      concurrency: 1,
    },
  ]);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `payments-worker: failed to start: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
});
