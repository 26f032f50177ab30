import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError, randomToken } from '@heartfelt/kit';
import {
  InvalidPaymentTokenError,
  PaymentDeclinedError,
  type AuthorizeRequest,
  type Authorization,
  type PaymentProvider,
} from './paymentProvider';

/** Sandbox token that always authorizes. */
export const SANDBOX_TOKEN_OK = 'tok_ok';
/** Sandbox token that is always declined. */
export const SANDBOX_TOKEN_DECLINED = 'tok_declined';

/** A charge in the sandbox's ledger, keyed by the idempotency key it was made with. */
export interface SandboxChargeDocument {
  _id: string;
  chargeId: string;
  amountCents: number;
  currency: string;
  createdAt: Date;
}

/**
 * A local stand-in for a real payment provider, for development and tests. `tok_ok`
 * authorizes, `tok_declined` is declined, and every other token is invalid. Each charge is
 * written to the `sandbox_charges` ledger with the idempotency key as `_id`, so a repeated
 * authorization with one key returns the first charge and never adds a second one. Tests
 * count charges in that ledger.
 */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly charges: Collection<SandboxChargeDocument>;

  /**
   * @param latencyMs Delay before each authorization returns, in milliseconds, to act like a
   * remote provider. Tests raise it so that concurrent checkouts overlap.
   */
  constructor(
    db: Db,
    private readonly latencyMs = 0,
  ) {
    this.charges = db.collection<SandboxChargeDocument>('sandbox_charges');
  }

  async authorize(request: AuthorizeRequest): Promise<Authorization> {
    if (!Number.isInteger(request.amountCents) || request.amountCents <= 0) {
      throw new RangeError(
        `sandbox: amountCents must be a positive integer, received ${request.amountCents}`,
      );
    }
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (request.token === SANDBOX_TOKEN_DECLINED) {
      throw new PaymentDeclinedError('the sandbox declines tok_declined');
    }
    if (request.token !== SANDBOX_TOKEN_OK) {
      throw new InvalidPaymentTokenError();
    }

    const charge: SandboxChargeDocument = {
      _id: request.idempotencyKey,
      chargeId: `ch_${randomToken(24)}`,
      amountCents: request.amountCents,
      currency: request.currency,
      createdAt: new Date(),
    };
    try {
      await this.charges.insertOne(charge);
      return { chargeId: charge.chargeId };
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
    return { chargeId: existing.chargeId };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
