import type { Db } from 'mongodb';
import type { PaymentEventReceiver, PaymentProvider } from './paymentProvider';
import { SandboxPaymentProvider } from './sandbox';

export * from './paymentProvider';
export { SandboxPaymentProvider } from './sandbox';

/** Names accepted by the PAYMENT_PROVIDER setting. */
export const paymentProviderNames = ['sandbox'] as const;
export type PaymentProviderName = (typeof paymentProviderNames)[number];

/** Settings of the providers, each read only by the provider it belongs to. */
export interface PaymentProviderOptions {
  /** Simulated latency of the sandbox provider, in milliseconds. */
  sandboxLatencyMs: number;
  /**
   * Receives the sandbox's payment events. A real provider sends its events to a webhook
   * instead, which passes them to the same receiver.
   */
  receiveEvent: PaymentEventReceiver;
}

/** Creates the provider that the PAYMENT_PROVIDER setting names, ready to use. */
export async function createPaymentProvider(
  name: PaymentProviderName,
  db: Db,
  options: PaymentProviderOptions,
): Promise<PaymentProvider> {
  switch (name) {
    case 'sandbox': {
      const sandbox = new SandboxPaymentProvider(db, {
        latencyMs: options.sandboxLatencyMs,
        receiveEvent: options.receiveEvent,
      });
      await sandbox.ensureIndexes();
      return sandbox;
    }
  }
}
