import {
  canTransition,
  cardTransitions,
  movesBackward,
  statusesAllowing,
  type CardAction,
} from '../src/delivery/status';
import type { CardStatus } from '../src/generated/resolvers';

const STATUSES: CardStatus[] = ['DRAFT', 'SCHEDULED', 'SENT', 'OPENED'];

/** Every (action, status) pair that is allowed; all others must be rejected. */
const ALLOWED: Array<[CardAction, CardStatus]> = [
  ['edit', 'DRAFT'],
  ['schedule', 'DRAFT'],
  ['schedule', 'SCHEDULED'],
  ['cancel', 'SCHEDULED'],
  ['send', 'SCHEDULED'],
  ['open', 'SENT'],
];

describe('card status transitions', () => {
  const actions = Object.keys(cardTransitions) as CardAction[];
  const cases = actions.flatMap((action) =>
    STATUSES.map((status) => [action, status] as [CardAction, CardStatus]),
  );

  test.each(cases)('%s from %s follows the table', (action, status) => {
    const expected = ALLOWED.some(([a, s]) => a === action && s === status);

    expect(canTransition(action, status)).toBe(expected);
  });

  test('only cancel moves backward', () => {
    const backward = actions.filter((action) =>
      statusesAllowing(action).some((from) => movesBackward(from, cardTransitions[action].to)),
    );

    expect(backward).toEqual(['cancel']);
  });

  test.each([
    ['SENT', 'DRAFT'],
    ['SENT', 'SCHEDULED'],
    ['OPENED', 'SENT'],
  ] as Array<[CardStatus, CardStatus]>)('no action leads from %s to %s', (from, to) => {
    const leading = actions.filter(
      (action) => canTransition(action, from) && cardTransitions[action].to === to,
    );

    expect(leading).toEqual([]);
  });

  test('SENT and OPENED cards cannot be scheduled', () => {
    expect(canTransition('schedule', 'SENT')).toBe(false);
    expect(canTransition('schedule', 'OPENED')).toBe(false);
  });
});
