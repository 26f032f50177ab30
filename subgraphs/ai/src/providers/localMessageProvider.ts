import type { GenerationInput } from '../repository/documents';
import { SUGGESTION_COUNT, type MessageProvider } from './messageProvider';
import { detailMoodOf, detailSentences } from './phrases/details';
import { occasionSentences } from './phrases/occasions';
import { relationshipKindOf, relationshipSentences } from './phrases/relationships';
import { pickDistinct, seededRandom } from './random';

/** Maximum length of one fact taken from the details, in characters. */
const MAX_DETAIL_LENGTH = 120;

/**
 * Leading words of a detail that are lowercased mid-sentence, with words ending in -ing or -ed
 * ("Helping me move"). Other words keep their case, because they may be names ("Lisbon").
 */
const lowercaseLeadWords = new Set([
  ...'a an the my your his her their our its this that these those'.split(' '),
  ...'all how when what some every'.split(' '),
]);

/**
 * Writes suggestions from built-in phrase banks, without any network call. The output depends
 * only on the input: a PRNG seeded from the normalized input and the seed picks the sentences,
 * so with the same phrase banks the same input and seed give the same three suggestions.
 *
 * Each suggestion is an opening sentence for the occasion and tone that names the recipient, a
 * sentence about the relationship, and, when details were given, a sentence weaving in one of
 * them: two or three sentences in all.
 */
export class LocalMessageProvider implements MessageProvider {
  readonly name = 'local';

  async generate(input: GenerationInput): Promise<string[]> {
    const random = seededRandom(normalizedSeedText(input));
    const tone = input.tone;

    const openings = pickDistinct(
      occasionSentences[input.occasion][tone],
      SUGGESTION_COUNT,
      random,
    );
    // Sympathy keeps its light touch in the opening sentence, so the bond sentences stay warm.
    const bondTone = input.occasion === 'SYMPATHY' && tone === 'FUNNY' ? 'WARM' : tone;
    const bonds = pickDistinct(
      relationshipSentences[relationshipKindOf(input.relationship)][bondTone],
      SUGGESTION_COUNT,
      random,
    );
    const facts = input.details ? detailFragments(input.details) : [];
    const detailLines = pickDistinct(
      detailSentences[detailMoodOf(input.occasion)][tone],
      SUGGESTION_COUNT,
      random,
    );

    const relationship = relationshipForSentence(input.relationship);
    return openings.map((opening, index) => {
      const sentences = [fill(opening, { name: input.recipientName })];
      const bond = fill(bonds[index % bonds.length]!, { relationship });
      if (facts.length === 0) {
        sentences.push(bond);
      } else {
        const fact = facts[index % facts.length]!;
        const detail = fill(detailLines[index % detailLines.length]!, {
          detail: lowercaseLead(fact),
          Detail: capitalize(fact),
        });
        // Vary the order of the second and third sentences between suggestions.
        sentences.push(...(random() < 0.5 ? [bond, detail] : [detail, bond]));
      }
      return sentences.join(' ');
    });
  }
}

/**
 * Returns the text the PRNG is seeded from: every input field trimmed, with whitespace runs
 * collapsed, and lowercased. Inputs that differ only in case or spacing therefore get the same
 * sentences, with the inserted text spelled as typed.
 */
function normalizedSeedText(input: GenerationInput): string {
  const normalize = (text: string | null) => (text ?? '').trim().replace(/\s+/g, ' ').toLowerCase();
  return JSON.stringify([
    input.occasion,
    input.tone,
    normalize(input.recipientName),
    normalize(input.relationship),
    normalize(input.details),
    input.seed,
  ]);
}

/** Replaces each `{key}` in `template` with its value. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, key: string) => values[key] ?? placeholder);
}

/** Returns the relationship lowercased and without a leading "my", ready for "my {relationship}". */
function relationshipForSentence(relationship: string): string {
  return relationship
    .trim()
    .replace(/^my\s+/i, '')
    .toLowerCase();
}

/**
 * Splits details into the facts that a sentence can carry: clauses cut at sentence ends and
 * semicolons, without trailing punctuation, each at most {@link MAX_DETAIL_LENGTH} characters.
 */
export function detailFragments(details: string): string[] {
  return details
    .split(/[.!?;\n]+/)
    .map((part) => part.trim().replace(/[,:\-–—\s]+$/, ''))
    .filter((part) => part.length > 0)
    .map(shortenAtWord);
}

function shortenAtWord(fact: string): string {
  if (fact.length <= MAX_DETAIL_LENGTH) return fact;
  const cut = fact.slice(0, MAX_DETAIL_LENGTH);
  const lastComma = cut.lastIndexOf(',');
  if (lastComma > MAX_DETAIL_LENGTH / 2) return cut.slice(0, lastComma);
  const lastSpace = cut.lastIndexOf(' ');
  return lastSpace > 0 ? cut.slice(0, lastSpace) : cut;
}

function lowercaseLead(fact: string): string {
  const firstWord = fact.split(' ', 1)[0]!;
  const lower = firstWord.toLowerCase();
  const isCommonWord = lowercaseLeadWords.has(lower) || /^[a-z]{2,}(?:ing|ed)$/.test(lower);
  // Only a capitalized word is lowercased, so "iPhone" and "NASA" keep their spelling.
  const isCapitalized = firstWord.slice(1) === firstWord.slice(1).toLowerCase();
  return isCommonWord && isCapitalized ? lower + fact.slice(firstWord.length) : fact;
}

function capitalize(fact: string): string {
  return fact.charAt(0).toUpperCase() + fact.slice(1);
}
