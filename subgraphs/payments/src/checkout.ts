import {
  expectedError,
  ErrorCode,
  isDuplicateKeyError,
  isId,
  notFound,
  ownerOf,
  requireText,
  unauthenticated,
  type EntityClient,
  type Identity,
  type Logger,
} from '@heartfelt/kit';
import { fetchCardPriceCents } from './cardPrice';
import { checkoutRequestHash, orderIdFor } from './checkoutKeys';
import { requireIdempotencyKey } from './idempotencyKey';
import {
  alreadyPaid,
  checkoutConflict,
  idempotencyKeyReused,
  invalidPaymentToken,
  paymentDeclined,
} from './errors';
import type { CheckoutInput } from './generated/resolvers';
import { InvalidPaymentTokenError, PaymentDeclinedError, type PaymentProvider } from './providers';
import type { OrderDocument } from './repository/documents';
import type { OrderRepository } from './repository/orders';

/** How long a repeated checkout waits for the first one with its key to finish. */
const PENDING_WAIT_MS = 5000;
const PENDING_POLL_INTERVAL_MS = 100;

/**
 * Age after which a PENDING order is taken to belong to a request that died between recording
 * it and finishing the charge. A repeated checkout then finishes it itself, which is safe
 * because the provider call is idempotent on the order id. An estimate, far above the time a
 * provider call takes.
 */
const STALE_PENDING_MS = 60_000;

/**
 * Times a checkout tries to record its order when the order it collided with disappeared
 * before it could be read (a concurrent attempt with the same key was declined).
 */
const MAX_INSERT_ATTEMPTS = 3;

/** Checkout input after validation. */
interface CheckoutRequest {
  userId: string;
  cardId: string;
  paymentToken: string;
  idempotencyKey: string;
}

/** The dependencies of {@link CheckoutService}. */
export interface CheckoutDependencies {
  orders: OrderRepository;
  provider: PaymentProvider;
  entities: EntityClient;
  /** ISO-4217 code that every order is charged in. */
  currency: string;
}

/**
 * Pays for cards. Without multi-document transactions, a checkout records its intent first. It
 * inserts a PENDING order whose `_id` is derived from the user and the idempotency key, has the
 * provider authorize the charge with that `_id` as the provider's idempotency key, and then
 * marks the order PAID. The unique `_id` makes concurrent checkouts with one key share one
 * order, and the unique (ownerId, cardId) index allows one order per card.
 *
 * The provider also reports the charge as a `succeeded` event, which payments-worker applies.
 * For a checkout that finished, the event only confirms PAID. For one that died between the
 * authorization and marking the order PAID, the event marks it PAID.
 */
export class CheckoutService {
  constructor(private readonly deps: CheckoutDependencies) {}

  async checkout(identity: Identity, input: CheckoutInput, logger: Logger): Promise<OrderDocument> {
    const request = validateCheckoutInput(identity, input);
    const amountCents = await fetchCardPriceCents(this.deps.entities, identity, request.cardId);
    const orderId = orderIdFor(request.userId, request.idempotencyKey);
    const requestHash = checkoutRequestHash(request.cardId, request.paymentToken);

    for (let attempt = 1; attempt <= MAX_INSERT_ATTEMPTS; attempt++) {
      const now = new Date();
      const order: OrderDocument = {
        _id: orderId,
        ownerId: request.userId,
        cardId: request.cardId,
        idempotencyKey: request.idempotencyKey,
        requestHash,
        amountCents,
        currency: this.deps.currency,
        status: 'PENDING',
        chargeId: null,
        createdAt: now,
        updatedAt: now,
      };
      try {
        await this.deps.orders.insert(order);
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const existing = await this.resolveCollision(order, request.paymentToken, logger);
        if (existing) return existing;
        continue;
      }
      return this.authorize(order, request.paymentToken, logger);
    }

    throw expectedError(
      ErrorCode.Conflict,
      `Checkout of card ${JSON.stringify(request.cardId)} collided with other attempts ` +
        `${MAX_INSERT_ATTEMPTS} times; retry with the same idempotencyKey.`,
    );
  }

  /**
   * Handles an insert that hit a unique index. Returns the order this checkout resolves to, or
   * null when the colliding order was deleted meanwhile and the insert should be tried again.
   */
  private async resolveCollision(
    order: OrderDocument,
    paymentToken: string,
    logger: Logger,
  ): Promise<OrderDocument | null> {
    const sameKey = await this.deps.orders.findById(order._id);
    if (sameKey) return this.replay(sameKey, order.requestHash, paymentToken, logger);

    const sameCard = await this.deps.orders.findByCard(order.ownerId, order.cardId);
    if (!sameCard) return null;
    if (sameCard.status === 'PAID') throw alreadyPaid(order.cardId, sameCard._id);
    throw checkoutConflict(order.cardId, sameCard.status);
  }

  /**
   * Resolves a checkout whose idempotency key was used before. Returns the earlier order, after
   * waiting briefly while it is PENDING, or null when that order was deleted meanwhile.
   */
  private async replay(
    existing: OrderDocument,
    requestHash: string,
    paymentToken: string,
    logger: Logger,
  ): Promise<OrderDocument | null> {
    if (existing.requestHash !== requestHash) throw idempotencyKeyReused();
    if (existing.status !== 'PENDING') return existing;

    if (Date.now() - existing.createdAt.getTime() > STALE_PENDING_MS) {
      logger.warn(
        { orderId: existing._id },
        'finishing a checkout left PENDING by an earlier request',
      );
      return this.authorize(existing, paymentToken, logger);
    }
    return this.waitWhilePending(existing._id);
  }

  /**
   * Polls an order until it leaves PENDING or {@link PENDING_WAIT_MS} pass. Returns the order as
   * it is then (possibly still PENDING), or null once it is deleted.
   */
  private async waitWhilePending(orderId: string): Promise<OrderDocument | null> {
    const deadline = Date.now() + PENDING_WAIT_MS;
    for (;;) {
      await sleep(PENDING_POLL_INTERVAL_MS);
      const current = await this.deps.orders.findById(orderId);
      if (!current || current.status !== 'PENDING' || Date.now() >= deadline) return current;
    }
  }

  /**
   * Charges a PENDING order and marks it PAID. On failure it deletes the order, so nothing
   * half-done remains.
   */
  private async authorize(
    order: OrderDocument,
    paymentToken: string,
    logger: Logger,
  ): Promise<OrderDocument> {
    let chargeId: string;
    try {
      const authorization = await this.deps.provider.authorize({
        amountCents: order.amountCents,
        currency: order.currency,
        token: paymentToken,
        idempotencyKey: order._id,
        orderId: order._id,
      });
      chargeId = authorization.chargeId;
    } catch (error) {
      // NOTE: after an unknown failure (a timeout, say) the provider may still have charged.
      // Checking out again with the same idempotencyKey derives the same order id, so the
      // provider returns that charge and the order becomes PAID without a second charge. Until
      // then the charge's `succeeded` event finds no order, so its job is retried with backoff.
      // Once its attempts run out, it stays failed in /admin/queues.
      await this.deps.orders.deletePending(order);
      if (error instanceof PaymentDeclinedError) {
        logger.info({ orderId: order._id }, 'payment declined');
        throw paymentDeclined();
      }
      if (error instanceof InvalidPaymentTokenError) throw invalidPaymentToken();
      throw error;
    }

    const paid = await this.deps.orders.markPaid(order._id, chargeId);
    if (paid) {
      logger.info({ orderId: paid._id, cardId: paid.cardId }, 'order paid');
      return paid;
    }

    // The provider's `succeeded` event, applied by payments-worker, or another request
    // finishing the same stale order marked it first.
    const current = await this.deps.orders.findById(order._id);
    if (!current) {
      throw new Error(`order ${order._id} was deleted after charge ${chargeId} was authorized`);
    }
    return current;
  }
}

/**
 * Checks the caller and the input before anything is read or written. A card id that is
 * malformed or belongs to someone else is NOT_FOUND, so the error never reveals whether
 * another user's card exists.
 */
function validateCheckoutInput(identity: Identity, input: CheckoutInput): CheckoutRequest {
  const userId = identity.userId;
  if (!userId) throw unauthenticated();

  const { cardId, idempotencyKey } = input;
  if (!isId('card', cardId) || ownerOf(cardId) !== userId) throw notFound('Card', cardId);

  requireIdempotencyKey(idempotencyKey);
  const paymentToken = requireText(input.paymentToken, 'paymentToken', { max: 100 });

  return { userId, cardId, paymentToken, idempotencyKey };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
