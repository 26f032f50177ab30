import { faker } from '@faker-js/faker';
import { newOwnedId, newTemplateId, newUserId } from '@heartfelt/kit';

/**
 * The demo data set, generated from a fixed seed so that every run produces the same ids,
 * names and statuses. Documents have the shapes the subgraphs' repositories store.
 */

export const DEMO_EMAIL = 'demo@heartfelt.test';
export const DEMO_PASSWORD = 'heartfelt-demo';
const SEED = 20261204;

export const OCCASIONS = [
  'BIRTHDAY',
  'ANNIVERSARY',
  'THANK_YOU',
  'HOLIDAY',
  'SYMPATHY',
  'CONGRATULATIONS',
  'GET_WELL',
  'LOVE',
] as const;

/** Sizes of the data set; the defaults are the documented demo data. */
export interface SeedSizes {
  users: number;
  templatesPerOccasion: number;
  cards: number;
  /** Cards of the demo user, included in `cards`. */
  demoCards: number;
}

export const defaultSeedSizes: SeedSizes = {
  users: 1000,
  templatesPerOccasion: 25,
  cards: 20_000,
  demoCards: 60,
};

const titleWords: Record<(typeof OCCASIONS)[number], string[]> = {
  BIRTHDAY: ['Confetti', 'Candles', 'Balloon', 'Another Lap', 'Party Hat', 'Sprinkles', 'Cake Day'],
  ANNIVERSARY: ['Still Us', 'Golden Years', 'Two Hearts', 'Every Year', 'Side by Side'],
  THANK_YOU: ['Grateful', 'Many Thanks', 'You Made It Better', 'Thank You Kindly', 'Much Obliged'],
  HOLIDAY: ['Snowfall', 'Warm Lights', 'Season Glow', 'Winter Pines', 'Cosy Nights'],
  SYMPATHY: ['With You', 'Gentle Thoughts', 'Quiet Light', 'In Our Hearts', 'Peace Lily'],
  CONGRATULATIONS: ['Well Done', 'Bravo', 'Hats Off', 'Top Marks', 'Big News', 'Cheers'],
  GET_WELL: ['Feel Better', 'Sunny Days Ahead', 'Rest Up', 'Speedy Recovery', 'Chicken Soup'],
  LOVE: ['Only You', 'Heartbeat', 'Be Mine', 'Always', 'Moonlit', 'Sweetheart'],
};

const styleWords = [
  'Watercolour',
  'Minimal',
  'Botanical',
  'Retro',
  'Hand-lettered',
  'Gold Foil',
  'Pastel',
];

const relationships = [
  'friend',
  'mother',
  'father',
  'sister',
  'brother',
  'partner',
  'colleague',
  'grandmother',
  'cousin',
  'neighbour',
];

const messageOpeners = [
  'Thinking of you today',
  'Wishing you all the best',
  'So happy for you',
  'Sending love your way',
  'Thank you for everything',
  'Hope this makes you smile',
  'I am so sorry for your loss',
  'Get well soon',
];

/** Generates the whole data set. Password hashes are filled in by the caller. */
export function generateSeed(passwordHash: string, sizes: SeedSizes = defaultSeedSizes) {
  faker.seed(SEED);
  const random = () => faker.number.float({ min: 0, max: 1, fractionDigits: 8 }) % 1;
  const epoch = Date.UTC(2026, 0, 1);
  const now = Date.UTC(2026, 11, 1);
  const dateBetween = (fromMs: number, toMs: number) =>
    new Date(fromMs + Math.floor(random() * (toMs - fromMs)));

  const templates = OCCASIONS.flatMap((occasion) =>
    Array.from({ length: sizes.templatesPerOccasion }, (_unused, index) => {
      const word = faker.helpers.arrayElement(titleWords[occasion]);
      const style = faker.helpers.arrayElement(styleWords);
      const id = newTemplateId(random);
      return {
        _id: id,
        title: `${style} ${word} ${index + 1}`,
        occasion,
        tags: faker.helpers.arrayElements(
          [
            style.toLowerCase(),
            word.toLowerCase(),
            occasion.toLowerCase(),
            'classic',
            'new',
            'photo',
          ],
          3,
        ),
        artworkUrl: `https://assets.heartfelt.example/templates/${id}.png`,
        priceCents: faker.helpers.arrayElement([299, 349, 399, 449, 499, 599]),
        popularity: faker.number.int({ min: 0, max: 10_000 }),
        createdAt: dateBetween(epoch, now),
      };
    }),
  );

  const users = Array.from({ length: sizes.users }, (_unused, index) => {
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    return {
      _id: newUserId(random),
      email: index === 0 ? DEMO_EMAIL : `user${index}@heartfelt.test`,
      displayName: index === 0 ? 'Demo User' : `${first} ${last}`,
      passwordHash,
      // Set from the contacts below; addContact relies on it to enforce the per-user limit.
      contactCount: 0,
      createdAt: dateBetween(epoch, now),
    };
  });
  const emails = users.map((user) => ({
    _id: user.email,
    userId: user._id,
    createdAt: user.createdAt,
  }));

  const contactsByUser = new Map<string, string[]>();
  const contacts = users.flatMap((user) => {
    const count = faker.number.int({ min: 3, max: 8 });
    return Array.from({ length: count }, () => {
      const name = faker.person.firstName();
      const birthday = faker.date
        .birthdate({ min: 1940, max: 2015, mode: 'year' })
        .toISOString()
        .slice(0, 10);
      const contact = {
        _id: newOwnedId('contact', user._id, random),
        userId: user._id,
        name,
        relationship: faker.helpers.arrayElement(relationships),
        birthday,
        // The birthday scan's key, as addContact writes it.
        birthdayMonthDay: birthday.slice(5),
        timeZone: faker.helpers.arrayElement([
          'Europe/Paris',
          'America/New_York',
          'Asia/Tokyo',
          'Europe/London',
          'America/Los_Angeles',
          'Australia/Sydney',
        ]),
        email: `${name.toLowerCase().replace(/[^a-z]/g, '')}.${faker.string.alphanumeric(6).toLowerCase()}@example.com`,
        createdAt: dateBetween(user.createdAt.getTime(), now),
      };
      const list = contactsByUser.get(user._id) ?? [];
      list.push(contact._id);
      contactsByUser.set(user._id, list);
      user.contactCount = list.length;
      return contact;
    });
  });

  const statuses = ['DRAFT', 'SCHEDULED', 'SENT', 'OPENED'] as const;
  const cards = Array.from({ length: sizes.cards }, (_unused, index) => {
    // The demo user owns the first demoCards cards; the rest spread over everyone else.
    const owner = index < sizes.demoCards ? users[0]! : users[1 + (index % (users.length - 1))]!;
    const template = faker.helpers.arrayElement(templates);
    // About a third of cards are paid (scheduled, sent or opened); the rest are drafts.
    const status = random() < 0.66 ? 'DRAFT' : faker.helpers.arrayElement(statuses.slice(1));
    const createdAt = dateBetween(owner.createdAt.getTime(), now);
    const sendAt =
      status === 'DRAFT'
        ? null
        : status === 'SCHEDULED'
          ? dateBetween(now + 86_400_000, now + 90 * 86_400_000)
          : dateBetween(createdAt.getTime(), now);
    return {
      _id: newOwnedId('card', owner._id, random),
      ownerId: owner._id,
      templateId: template._id,
      contactId: faker.helpers.arrayElement(contactsByUser.get(owner._id)!),
      message: `${faker.helpers.arrayElement(messageOpeners)}! ${faker.lorem.sentence()}`,
      status,
      sendAt,
      createdAt,
      updatedAt: createdAt,
      priceCents: template.priceCents,
    };
  });

  const orders = cards
    .filter((card) => card.status !== 'DRAFT')
    .map((card) => ({
      _id: newOwnedId('order', card.ownerId, random),
      ownerId: card.ownerId,
      cardId: card._id,
      idempotencyKey: `seed-${card._id}`,
      requestHash: 'seed',
      amountCents: card.priceCents,
      currency: 'USD',
      status: 'PAID',
      chargeId: `ch_seed_${card._id.slice(-12)}`,
      createdAt: card.createdAt,
      updatedAt: card.createdAt,
    }));

  // The sandbox payment provider's ledger contains the charge behind each seeded order, keyed as
  // checkout keys it (by order id), so that seeded orders can be refunded like new ones.
  const sandboxCharges = orders.map((order) => ({
    _id: order._id,
    chargeId: order.chargeId,
    orderId: order._id,
    amountCents: order.amountCents,
    currency: order.currency,
    createdAt: order.createdAt,
  }));

  return {
    templates,
    users,
    emails,
    contacts,
    cards: cards.map(({ priceCents: _priceCents, ...card }) => card),
    orders,
    sandbox_charges: sandboxCharges,
  };
}
