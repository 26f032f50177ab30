import type { CardStatus } from '../generated/resolvers';

/**
 * The status rules of a card, in one place. A card moves DRAFT → SCHEDULED → SENT → OPENED.
 * Every write of `status` filters on the statuses listed here, so a concurrent request can
 * never move a card along a path that is not in this table.
 *
 * Cancelling is the one move back: SCHEDULED → DRAFT. A cancelled card was never sent, and
 * its job, sendAt and delivery id are removed with the cancel, so it is a draft in every
 * respect. A card that has been sent, or whose delivery has started, never moves back.
 */
export const cardTransitions = {
  /** Changing the template, recipient or message. */
  edit: { from: ['DRAFT'], to: 'DRAFT' },
  /** Scheduling a draft, or rescheduling a scheduled card. */
  schedule: { from: ['DRAFT', 'SCHEDULED'], to: 'SCHEDULED' },
  /** Cancelling a scheduled delivery that has not started. */
  cancel: { from: ['SCHEDULED'], to: 'DRAFT' },
  /** The worker recording that the card's email was sent. */
  send: { from: ['SCHEDULED'], to: 'SENT' },
  /** The recipient's first view of the card's page; later views leave it OPENED. */
  open: { from: ['SENT'], to: 'OPENED' },
} as const satisfies Record<string, { from: readonly CardStatus[]; to: CardStatus }>;

export type CardAction = keyof typeof cardTransitions;

/** Position of each status on the way to the recipient. */
const progress: Record<CardStatus, number> = { DRAFT: 0, SCHEDULED: 1, SENT: 2, OPENED: 3 };

/** Statuses from which `action` is allowed. */
export function statusesAllowing(action: CardAction): readonly CardStatus[] {
  return cardTransitions[action].from;
}

/** Returns true when a card in `status` may undergo `action`. */
export function canTransition(action: CardAction, status: CardStatus): boolean {
  return (cardTransitions[action].from as readonly CardStatus[]).includes(status);
}

/** Returns true when moving from `from` to `to` goes back towards DRAFT. */
export function movesBackward(from: CardStatus, to: CardStatus): boolean {
  return progress[to] < progress[from];
}
