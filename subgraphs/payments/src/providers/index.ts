import type { Db } from 'mongodb';
import type { PaymentProvider } from './paymentProvider';
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
}

/** Creates the provider that the PAYMENT_PROVIDER setting names. */
export function createPaymentProvider(
  name: PaymentProviderName,
  db: Db,
  options: PaymentProviderOptions,
): PaymentProvider {
  switch (name) {
    case 'sandbox':
      return new SandboxPaymentProvider(db, options.sandboxLatencyMs);
  }
}
