import type { Tone } from '../../generated/resolvers';

/** The kinds of relationship that have their own sentences. */
export type RelationshipKind = 'family' | 'partner' | 'friend' | 'colleague' | 'other';

/**
 * Words that place a relationship in a kind, matched against the lowercased words of the
 * relationship the sender typed, kind by kind in this order: "work friend" is a colleague and
 * "family friend" a friend.
 */
const kindWords: ReadonlyArray<[RelationshipKind, ReadonlySet<string>]> = [
  [
    'colleague',
    wordSet(
      'colleague coworker co-worker boss manager supervisor employee employer teammate team ' +
        'client customer mentor mentee intern associate staff work business office',
    ),
  ],
  [
    'partner',
    wordSet(
      'partner wife husband spouse girlfriend boyfriend fiance fiancee fiancé fiancée ' +
        'sweetheart darling love lover valentine',
    ),
  ],
  ['friend', wordSet('friend friends bestie buddy pal mate roommate flatmate bff')],
  [
    'family',
    wordSet(
      'mother mom mum mama mommy father dad papa daddy parent parents grandmother grandma ' +
        'granny nana grandfather grandpa grandparent grandparents sister brother sibling aunt ' +
        'auntie uncle cousin son daughter child niece nephew grandson granddaughter grandchild ' +
        'stepmother stepfather stepmom stepdad stepsister stepbrother godmother godfather ' +
        'goddaughter godson family',
    ),
  ],
];

function wordSet(words: string): ReadonlySet<string> {
  return new Set(words.split(' '));
}

/** Returns the kind of a relationship such as "grandmother", "best friend" or "sister-in-law". */
export function relationshipKindOf(relationship: string): RelationshipKind {
  const words = relationship.toLowerCase().split(/[^\p{L}-]+/u);
  if (words.some((word) => word.endsWith('-in-law'))) return 'family';
  for (const [kind, markers] of kindWords) {
    if (words.some((word) => markers.has(word))) return kind;
  }
  return 'other';
}

/**
 * Sentences about the bond between sender and recipient, by relationship kind and tone. They
 * suit every occasion; `{relationship}` is the relationship as typed, without a leading "my".
 */
export const relationshipSentences: Record<RelationshipKind, Record<Tone, readonly string[]>> = {
  family: {
    WARM: [
      'Having you as my {relationship} is one of the greatest gifts in my life.',
      "I'm so thankful that you're my {relationship}, today and always.",
      "Family doesn't get any better than you.",
    ],
    FUNNY: [
      "Being family means you're stuck with me, and honestly, lucky you.",
      "Of all the relatives I could have had, I'm glad I got you as my {relationship}.",
      "You're my favorite {relationship}, so please don't tell the others.",
    ],
    FORMAL: [
      'I am truly grateful to have you as my {relationship}.',
      'You have always been a source of strength to our family.',
      'It is a privilege to call you my {relationship}.',
    ],
    POETIC: [
      "Our family's roots run deep, and you are one of its strongest branches.",
      'You are my {relationship}, and a part of the home I carry everywhere.',
      'Every chapter of my story has a page with you in it.',
    ],
  },
  partner: {
    WARM: [
      "I'm so lucky to share my life with you.",
      'You are my favorite person in the whole world.',
      'Every day with you is a gift.',
    ],
    FUNNY: [
      "You're stuck with me, and I couldn't be happier about it.",
      "You still laugh at my jokes, which is how I know it's real.",
      'Thank you for putting up with my singing in the kitchen.',
    ],
    FORMAL: [
      'I am grateful every day to have you as my {relationship}.',
      'You have my respect, my admiration and my love.',
      'Sharing my life with you is my greatest honor.',
    ],
    POETIC: [
      'You are the harbor my heart always sails home to.',
      'With you, even ordinary days feel like poetry.',
      'Our story is my favorite one to tell.',
    ],
  },
  friend: {
    WARM: [
      "I'm so grateful to have a {relationship} like you.",
      'Thank you for being such a wonderful {relationship} through everything.',
      'Life is so much better with you in it.',
    ],
    FUNNY: [
      "You know too many of my secrets, so we'll have to stay friends forever.",
      'Thank you for being the {relationship} who always answers my middle-of-the-night messages.',
      "We've been through a lot together, mostly snacks.",
    ],
    FORMAL: [
      'I value our friendship more than I can say.',
      'It is a privilege to count you as my {relationship}.',
      'Your friendship has been a constant that I deeply appreciate.',
    ],
    POETIC: [
      'Friends like you are the lamps along the road.',
      "Our friendship is a garden I'm glad we keep tending.",
      'Some people are a season, but you, my {relationship}, are the whole year.',
    ],
  },
  colleague: {
    WARM: [
      "It's a real pleasure working alongside you.",
      'Our team is so lucky to have you.',
      'Thank you for making every workday a little brighter.',
    ],
    FUNNY: [
      "You make even Monday meetings bearable, and that's a rare talent.",
      "You're the reason the office coffee tastes better.",
      'Working with you is the best perk of this job, with apologies to the free snacks.',
    ],
    FORMAL: [
      'It is a privilege to work alongside you.',
      'Your professionalism and generosity are greatly valued by all of us.',
      'I am grateful for the opportunity to work with such a respected {relationship}.',
    ],
    POETIC: [
      'Good work is built by good people, and you are one of the best.',
      'In the busy rhythm of our days, you are the steady beat.',
      'Working beside you has taught me that kindness is a craft.',
    ],
  },
  other: {
    WARM: [
      "I'm so glad to have you as my {relationship}.",
      'You mean a great deal to me.',
      'Knowing you has made my life richer.',
    ],
    FUNNY: [
      "You're hands down my favorite {relationship}, no competition.",
      "I'm lucky to know you, and I'm not just saying that because of the card.",
      "You're one of a kind, which is probably for the best.",
    ],
    FORMAL: [
      'I greatly value having you as my {relationship}.',
      'Please know how much I appreciate you.',
      'You have my sincere respect and gratitude.',
    ],
    POETIC: [
      'Some people leave footprints on the heart, and you are one of them.',
      'You are a bright thread in the weave of my days.',
      'Having you as my {relationship} is a quiet kind of luck.',
    ],
  },
};
