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
}

/** The result of a successful authorization. */
export interface Authorization {
  /** The provider's id of the charge. */
  chargeId: string;
}

/**
 * A payment provider as checkout uses it. An implementation raises
 * {@link PaymentDeclinedError} when the provider declines the payment method and
 * {@link InvalidPaymentTokenError} when it does not accept the token; any other error means
 * the outcome is unknown, and repeating the request with the same idempotency key is safe.
 */
export interface PaymentProvider {
  readonly name: string;
  authorize(request: AuthorizeRequest): Promise<Authorization>;
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
