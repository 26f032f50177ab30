import type { CardStatus } from '../generated/resolvers';

/** A card as stored in `cards`, sharded on `ownerId` (hashed). */
export interface CardDocument {
  _id: string;
  ownerId: string;
  templateId: string;
  contactId: string;
  message: string;
  status: CardStatus;
  sendAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /**
   * The current scheduling's delivery id: new on every schedule, null once cancelled. A
   * delivery job whose id differs is stale and sends nothing. Absent on cards never scheduled.
   */
  deliveryId?: string | null;
  /**
   * When a worker claimed the current delivery. From then on the email may be out, so the card
   * can no longer be rescheduled or cancelled.
   */
  deliveryStartedAt?: Date | null;
  /** Token of the card's public page `/c/<token>`, created when the card is first scheduled. */
  publicToken?: string;
  /** When the card's email was sent. */
  sentAt?: Date | null;
  /** When the recipient first opened the card's page. */
  openedAt?: Date | null;
}

/** State of a delivery: SENDING from the moment its intent is recorded until the email is out. */
export type DeliveryState = 'SENDING' | 'SENT';

/**
 * The email of one scheduling of a card, as stored in `deliveries`, sharded on `ownerId`
 * (hashed). The worker inserts it before sending, so that a retry after a crash finds that an
 * email may be out. `_id` is the delivery id. A delivery id always comes with the same owner,
 * so duplicates can only meet on one shard, and the unique `_id` index also applies on a
 * sharded cluster.
 */
export interface DeliveryDocument {
  _id: string;
  cardId: string;
  ownerId: string;
  state: DeliveryState;
  /** Message-ID header of the email, derived from the delivery id. */
  messageId: string;
  /** Name of the mail adapter that sent it: `outbox` or `smtp`. */
  transport: string;
  /** Number of times the email was handed to the mail adapter. Above 1 only after a crash. */
  sendAttempts: number;
  createdAt: Date;
  sentAt: Date | null;
}

/** References to entities other subgraphs own; the gateway resolves the rest. */
export interface UserReference {
  id: string;
}
export interface TemplateReference {
  id: string;
}
export interface ContactReference {
  id: string;
}
