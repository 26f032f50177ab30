/** A request to authorize (charge) an amount on a payment method. */
export interface AuthorizeRequest {
  /** Amount in the currency's minor unit (cents for USD); a positive integer. */
  amountCents: number;
  /** ISO-4217 currency code, such as USD. */
  currency: string;
  /** Token from the provider's client library that stands for the customer's payment method. */
  token: string;
  /**
   * Key that makes the request safe to repeat: the provider returns the charge it already made
   * for this key instead of charging again.
   */
  idempotencyKey: string;
  /** The order being paid, sent as metadata; the provider returns it in the charge's events. */
  orderId: string;
}

/** The result of a successful authorization. */
export interface Authorization {
  /** The provider's id of the charge. */
  chargeId: string;
}

/** A request to refund a charge in full. */
export interface RefundRequest {
  chargeId: string;
  /** The charged amount, in the currency's minor unit; the provider refunds exactly this. */
  amountCents: number;
  currency: string;
  /** Key that makes the request safe to repeat: one key never refunds twice. */
  idempotencyKey: string;
  /** The refunded order, sent as metadata; the provider returns it in the refund's events. */
  orderId: string;
}

/** The result of a successful refund. */
export interface Refund {
  /** The provider's id of the refund. */
  refundId: string;
}

/** The kinds of payment event a provider sends. */
export const paymentEventTypes = ['succeeded', 'failed', 'refunded'] as const;
export type PaymentEventType = (typeof paymentEventTypes)[number];

/**
 * A payment event as a provider's webhook delivers it. A provider may deliver one event more
 * than once (it retries until the delivery is acknowledged), always with the same `id`.
 */
export interface PaymentEvent {
  /** The provider's event id: unique per event and the same on every delivery of it. */
  id: string;
  type: PaymentEventType;
  /** The order from the metadata of the authorization or refund request. */
  orderId: string;
  chargeId: string;
  /** The provider's refund id; set on `refunded` events only. */
  refundId: string | null;
  /** When the provider created the event, as an ISO-8601 string. */
  createdAt: string;
}

/**
 * Receives the events a provider sends: the webhook endpoint of a real provider, and a direct
 * call for the sandbox. It must reject (throw) when it could not take the event in, so that the
 * provider delivers it again.
 */
export type PaymentEventReceiver = (event: PaymentEvent) => Promise<void>;

/**
 * A payment provider as checkout and refunds use it. An implementation raises
 * {@link PaymentDeclinedError} when the provider declines the payment method and
 * {@link InvalidPaymentTokenError} when it does not accept the token; any other error means
 * the outcome is unknown, and repeating the request with the same idempotency key is safe.
 * Outcomes are also reported as {@link PaymentEvent}s, through the receiver the provider was
 * created with.
 */
export interface PaymentProvider {
  readonly name: string;
  authorize(request: AuthorizeRequest): Promise<Authorization>;
  refund(request: RefundRequest): Promise<Refund>;
}

/** Raised when the provider declines the payment method; nothing was charged. */
export class PaymentDeclinedError extends Error {
  constructor(readonly reason: string) {
    super(`payment declined: ${reason}`);
    this.name = 'PaymentDeclinedError';
  }
}

/** Raised when the provider does not accept the payment token; nothing was charged. */
export class InvalidPaymentTokenError extends Error {
  constructor() {
    super('payment token rejected as invalid');
    this.name = 'InvalidPaymentTokenError';
  }
}
