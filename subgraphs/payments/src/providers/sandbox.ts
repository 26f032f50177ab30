import type { Collection, Db } from 'mongodb';
import { ensureIndexes, isDuplicateKeyError, randomToken } from '@heartfelt/kit';
import {
  InvalidPaymentTokenError,
  PaymentDeclinedError,
  type AuthorizeRequest,
  type Authorization,
  type PaymentEvent,
  type PaymentEventReceiver,
  type PaymentProvider,
  type Refund,
  type RefundRequest,
} from './paymentProvider';

/** Sandbox token that always authorizes. */
export const SANDBOX_TOKEN_OK = 'tok_ok';
/** Sandbox token that is always declined. */
export const SANDBOX_TOKEN_DECLINED = 'tok_declined';

/** A charge in the sandbox's ledger, keyed by the idempotency key it was made with. */
export interface SandboxChargeDocument {
  _id: string;
  chargeId: string;
  /** The order from the authorization's metadata. */
  orderId: string;
  amountCents: number;
  currency: string;
  createdAt: Date;
}

/** A refund in the sandbox's ledger, keyed by the idempotency key it was made with. */
export interface SandboxRefundDocument {
  _id: string;
  refundId: string;
  chargeId: string;
  orderId: string;
  amountCents: number;
  currency: string;
  createdAt: Date;
}

/** Options of {@link SandboxPaymentProvider}. */
export interface SandboxOptions {
  /**
   * Delay before each authorization and refund returns, in milliseconds, to act like a remote
   * provider. Tests raise it so that concurrent checkouts overlap. Default 0.
   */
  latencyMs?: number;
  /** Receiver of the sandbox's payment events, called as a provider calls its webhook. */
  receiveEvent: PaymentEventReceiver;
}

/**
 * A local stand-in for a real payment provider, for development and tests. `tok_ok`
 * authorizes, `tok_declined` is declined, and every other token is invalid. Each charge is
 * written to the `sandbox_charges` ledger and each refund to `sandbox_refunds`, with the
 * idempotency key as `_id`, so a repeated request with one key returns the first result and
 * never adds a second entry. Tests count entries in these ledgers.
 *
 * After a charge or a refund the sandbox sends a `succeeded` or `refunded` event and waits
 * until it is received. NOTE: so while the queue Redis is down, checkouts and refunds wait for
 * it, unlike with a real provider, whose webhook deliveries do not hold up its API. Event ids are derived from the charge or refund id, so a repeated
 * request sends the same event again, as a provider retrying a webhook does. A declined
 * authorization sends no event: checkout reports the decline at once and keeps no order.
 */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly charges: Collection<SandboxChargeDocument>;
  readonly refunds: Collection<SandboxRefundDocument>;
  private readonly latencyMs: number;
  private readonly receiveEvent: PaymentEventReceiver;

  constructor(db: Db, options: SandboxOptions) {
    this.charges = db.collection<SandboxChargeDocument>('sandbox_charges');
    this.refunds = db.collection<SandboxRefundDocument>('sandbox_refunds');
    this.latencyMs = options.latencyMs ?? 0;
    this.receiveEvent = options.receiveEvent;
  }

  /** Creates the ledgers' indexes; safe to run at every start. */
  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.charges, [{ key: { chargeId: 1 }, name: 'charge', unique: true }]);
    // Refunds are always in full, so a charge has at most one.
    await ensureIndexes(this.refunds, [{ key: { chargeId: 1 }, name: 'charge', unique: true }]);
  }

  async authorize(request: AuthorizeRequest): Promise<Authorization> {
    requirePositiveAmount(request.amountCents);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (request.token === SANDBOX_TOKEN_DECLINED) {
      throw new PaymentDeclinedError('the sandbox declines tok_declined');
    }
    if (request.token !== SANDBOX_TOKEN_OK) {
      throw new InvalidPaymentTokenError();
    }

    const charge = await this.recordCharge(request);
    await this.receiveEvent({
      id: `evt_${charge.chargeId}_succeeded`,
      type: 'succeeded',
      orderId: charge.orderId,
      chargeId: charge.chargeId,
      refundId: null,
      createdAt: charge.createdAt.toISOString(),
    });
    return { chargeId: charge.chargeId };
  }

  async refund(request: RefundRequest): Promise<Refund> {
    requirePositiveAmount(request.amountCents);
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    const charge = await this.charges.findOne({ chargeId: request.chargeId });
    if (!charge) throw new Error(`sandbox: charge ${request.chargeId} does not exist`);
    if (charge.amountCents !== request.amountCents || charge.currency !== request.currency) {
      throw new Error(
        `sandbox: refund of ${request.amountCents} ${request.currency} does not match charge ` +
          `${charge.chargeId} of ${charge.amountCents} ${charge.currency}`,
      );
    }

    const refund = await this.recordRefund(request);
    const event: PaymentEvent = {
      id: `evt_${refund.refundId}_refunded`,
      type: 'refunded',
      orderId: refund.orderId,
      chargeId: refund.chargeId,
      refundId: refund.refundId,
      createdAt: refund.createdAt.toISOString(),
    };
    await this.receiveEvent(event);
    return { refundId: refund.refundId };
  }

  /** Adds a charge to the ledger, or returns the one already made with the request's key. */
  private async recordCharge(request: AuthorizeRequest): Promise<SandboxChargeDocument> {
    const charge: SandboxChargeDocument = {
      _id: request.idempotencyKey,
      chargeId: `ch_${randomToken(24)}`,
      orderId: request.orderId,
      amountCents: request.amountCents,
      currency: request.currency,
      createdAt: new Date(),
    };
    try {
      await this.charges.insertOne(charge);
      return charge;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }

    // The key was used before: return that charge, as a real provider does.
    const existing = await this.charges.findOne({ _id: request.idempotencyKey });
    if (!existing) {
      throw new Error('sandbox: a charge collided on its idempotency key but cannot be read back');
    }
    if (existing.amountCents !== request.amountCents || existing.currency !== request.currency) {
      // Real providers reject a key reused with different parameters instead of charging.
      throw new Error('sandbox: idempotency key reused with a different amount or currency');
    }
    return existing;
  }

  /** Adds a refund to the ledger, or returns the one already made with the request's key. */
  private async recordRefund(request: RefundRequest): Promise<SandboxRefundDocument> {
    const refund: SandboxRefundDocument = {
      _id: request.idempotencyKey,
      refundId: `re_${randomToken(24)}`,
      chargeId: request.chargeId,
      orderId: request.orderId,
      amountCents: request.amountCents,
      currency: request.currency,
      createdAt: new Date(),
    };
    try {
      await this.refunds.insertOne(refund);
      return refund;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }

    const existing = await this.refunds.findOne({ _id: request.idempotencyKey });
    if (!existing) {
      // The unique index on chargeId rejected it: another key refunded this charge already.
      throw new Error(`sandbox: charge ${request.chargeId} was already refunded with another key`);
    }
    if (existing.chargeId !== request.chargeId) {
      throw new Error('sandbox: refund idempotency key reused for a different charge');
    }
    return existing;
  }
}

function requirePositiveAmount(amountCents: number): void {
  if (!Number.isInteger(amountCents) || amountCents <= 0) {
    throw new RangeError(
      `sandbox: amountCents must be a positive integer, received ${amountCents}`,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
