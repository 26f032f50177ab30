import type { Occasion, Tone } from '../../generated/resolvers';

/**
 * The role of the sender's details in an occasion: something to celebrate, something the
 * recipient did for the sender, a memory of someone who died, or the recipient's illness.
 */
export type DetailMood = 'celebration' | 'gratitude' | 'remembrance' | 'recovery';

export function detailMoodOf(occasion: Occasion): DetailMood {
  if (occasion === 'THANK_YOU') return 'gratitude';
  if (occasion === 'SYMPATHY') return 'remembrance';
  if (occasion === 'GET_WELL') return 'recovery';
  return 'celebration';
}

/**
 * Sentences that weave in one fact from the sender's details, by mood and tone. `{detail}` is
 * the fact mid-sentence and `{Detail}` the same fact starting a sentence. Each sentence has to
 * read well around a short noun phrase such as "your new job" or "her Sunday dinners".
 */
export const detailSentences: Record<DetailMood, Record<Tone, readonly string[]>> = {
  celebration: {
    WARM: [
      'I keep thinking about {detail}, and it makes me smile.',
      "Here's to {detail}!",
      'And of course, {detail} deserves a special mention.',
    ],
    FUNNY: [
      'Also, {detail} is the stuff of legend.',
      "Let's be honest, {detail} deserves its own parade.",
      "I'm still impressed by {detail}, and only slightly jealous.",
    ],
    FORMAL: [
      'I was especially pleased to hear about {detail}.',
      'Please know that {detail} has not gone unnoticed.',
      'I would like to mention {detail} in particular.',
    ],
    POETIC: [
      '{Detail} shines in my memory like a small bright star.',
      'May {detail} be only the first verse of a longer song.',
      "Somewhere in {detail} there's a story worth telling again and again.",
    ],
  },
  gratitude: {
    WARM: [
      "I'm especially grateful for {detail}.",
      '{Detail} meant the world to me.',
      "I'll never forget {detail}.",
    ],
    FUNNY: [
      '{Detail} has earned you a lifetime supply of my gratitude.',
      "I'm still talking about {detail}, so you'll be hearing about it for years.",
      '{Detail} deserves a medal, or at least a very good cake.',
    ],
    FORMAL: [
      'I am particularly grateful for {detail}.',
      '{Detail} was greatly appreciated.',
      'Please know how much {detail} meant to me.',
    ],
    POETIC: [
      "{Detail} was a gift I'll carry like a warm stone in my pocket.",
      'Like rain after a dry spell, {detail} came just when it was needed.',
      'I keep {detail} close, like a letter worth rereading.',
    ],
  },
  remembrance: {
    WARM: [
      "I keep thinking of {detail}, and I'm holding you close.",
      "I'll always treasure {detail}.",
      "{Detail} is something I'll carry with me.",
    ],
    // Sympathy keeps its light touch in the opening sentence only, so these stay gentle.
    FUNNY: [
      'I smile whenever I remember {detail}.',
      "I'll always treasure {detail}.",
      '{Detail} will always make me smile.',
    ],
    FORMAL: [
      'I remember {detail} with great fondness.',
      'Please know that I am thinking of you and of {detail}.',
      '{Detail} will long be remembered.',
    ],
    POETIC: [
      '{Detail} stays with me, like a lamp left burning in the window.',
      'I hold {detail} gently in my thoughts.',
      'Like a candle in the dark, {detail} keeps a warm place in my heart.',
    ],
  },
  recovery: {
    WARM: [
      "I've been thinking about {detail}, and I'm rooting for you every step of the way.",
      "I know {detail} isn't easy, and I'm right here with you.",
      'With {detail} on your mind, please let me help however I can.',
    ],
    FUNNY: [
      'Whatever {detail} throws at you, my terrible jokes are on standby.',
      "I'm thinking about {detail} and sending extra smiles your way.",
      'I heard about {detail}, so consider this card a prescription for laughter.',
    ],
    FORMAL: [
      'I was sorry to learn of {detail} and wish you strength.',
      'Please know that I am thinking of you with regard to {detail}.',
      'I trust that {detail} will soon be behind you.',
    ],
    POETIC: [
      'May {detail} soon be a storm that has passed.',
      'Through {detail}, may you find the quiet strength of deep roots.',
      'May {detail} fade like winter before an early spring.',
    ],
  },
};
