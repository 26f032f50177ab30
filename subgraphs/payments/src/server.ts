import './tracing';
import { join } from 'node:path';
import {
  createQueue,
  createQueueRedis,
  createServiceKit,
  EntityClient,
  loadTypeDefs,
  QueueName,
  startSubgraph,
  urlSetting,
  workerSettings,
} from '@heartfelt/kit';
import { z } from 'zod';
import { CheckoutService } from './checkout';
import type { Context } from './context';
import { createLoaders } from './loaders';
import { receiveProviderEvent } from './jobs/paymentEventQueue';
import { createPaymentProvider, paymentProviderNames, type PaymentEvent } from './providers';
import { RefundService } from './refund';
import { OrderRepository } from './repository/orders';
import { resolvers } from './resolvers';

const paymentsSettings = {
  /** The queue Redis that payment events are enqueued on. */
  QUEUE_REDIS_URL: workerSettings.QUEUE_REDIS_URL,
  CARDS_URL: urlSetting().default('http://127.0.0.1:4002/graphql'),
  TEMPLATES_URL: urlSetting().default('http://127.0.0.1:4003/graphql'),
  /** Payment provider that charges cards. `sandbox` runs locally and charges nothing real. */
  PAYMENT_PROVIDER: z.enum(paymentProviderNames).default('sandbox'),
  /** Delay the sandbox adds to each authorization and refund, in milliseconds (default 0). */
  SANDBOX_LATENCY_MS: z.coerce.number().int().min(0).max(10_000).default(0),
  /** ISO-4217 code that every order is charged in. */
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code of 3 upper-case letters, such as USD')
    .default('USD'),
};

async function main(): Promise<void> {
  const kit = await createServiceKit('payments', 4005, paymentsSettings);
  const { settings, logger } = kit;

  const orders = new OrderRepository(kit.store.db, kit.cache);
  await orders.ensureIndexes();

  // Payment events go to payments-worker through the queue Redis.
  const queueRedis = createQueueRedis(settings.QUEUE_REDIS_URL, logger);
  const paymentEvents = createQueue<PaymentEvent>(QueueName.PaymentEvents, queueRedis);
  kit.onShutdown(async () => {
    await paymentEvents.close();
    await queueRedis.quit().catch(() => queueRedis.disconnect());
  });

  const provider = await createPaymentProvider(settings.PAYMENT_PROVIDER, kit.store.db, {
    sandboxLatencyMs: settings.SANDBOX_LATENCY_MS,
    receiveEvent: (event) => receiveProviderEvent(paymentEvents, event),
  });
  if (provider.name === 'sandbox' && kit.config.NODE_ENV === 'production') {
    logger.warn('PAYMENT_PROVIDER is sandbox in production: checkouts charge nothing real');
  }
  logger.info({ provider: provider.name, currency: settings.CURRENCY }, 'payment provider ready');

  const entities = new EntityClient(
    { cards: settings.CARDS_URL, templates: settings.TEMPLATES_URL },
    kit.config.SUBGRAPH_SIGNING_SECRET,
  );
  const checkout = new CheckoutService({
    orders,
    provider,
    entities,
    currency: settings.CURRENCY,
  });
  const refunds = new RefundService({ orders, provider });

  await startSubgraph<Context, typeof paymentsSettings>(kit, {
    typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
    resolvers,
    context: (base) => ({
      ...base,
      orders,
      checkout,
      refunds,
      loaders: createLoaders(orders, kit.metrics, kit.cache),
    }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`payments: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
