import type { Occasion, Tone } from '../src/generated/resolvers';
import { detailFragments, LocalMessageProvider } from '../src/providers/localMessageProvider';
import { relationshipKindOf } from '../src/providers/phrases/relationships';
import type { GenerationInput } from '../src/repository/documents';

const occasions: Occasion[] = [
  'BIRTHDAY',
  'ANNIVERSARY',
  'THANK_YOU',
  'HOLIDAY',
  'SYMPATHY',
  'CONGRATULATIONS',
  'GET_WELL',
  'LOVE',
];
const tones: Tone[] = ['WARM', 'FUNNY', 'FORMAL', 'POETIC'];
const cases = occasions.flatMap((occasion) => tones.map((tone) => [occasion, tone] as const));

const provider = new LocalMessageProvider();

function inputOf(overrides: Partial<GenerationInput> = {}): GenerationInput {
  return {
    occasion: 'BIRTHDAY',
    recipientName: 'Jordan',
    relationship: 'friend',
    tone: 'WARM',
    details: null,
    seed: 1,
    ...overrides,
  };
}

/** Counts sentences by their closing punctuation followed by a space or the end. */
function sentenceCount(text: string): number {
  return text.split(/(?<=[.!?])\s+/).filter((part) => part.trim() !== '').length;
}

describe('LocalMessageProvider', () => {
  test.each(cases)('%s %s gives three different suggestions', async (occasion, tone) => {
    const suggestions = await provider.generate(inputOf({ occasion, tone }));
    expect(suggestions).toHaveLength(3);
    expect(new Set(suggestions).size).toBe(3);
  });

  test.each(cases)('%s %s names the recipient', async (occasion, tone) => {
    const suggestions = await provider.generate(inputOf({ occasion, tone }));
    for (const suggestion of suggestions) expect(suggestion).toContain('Jordan');
  });

  test.each(cases)('%s %s keeps to one to three sentences', async (occasion, tone) => {
    const details = 'the new garden. The trip to the coast';
    const suggestions = await provider.generate(inputOf({ occasion, tone, details }));
    for (const suggestion of suggestions) {
      expect(sentenceCount(suggestion)).toBeGreaterThanOrEqual(1);
      expect(sentenceCount(suggestion)).toBeLessThanOrEqual(3);
    }
  });

  test.each(cases)('%s %s leaves no placeholder', async (occasion, tone) => {
    const suggestions = await provider.generate(inputOf({ occasion, tone, details: 'a detail' }));
    for (const suggestion of suggestions) expect(suggestion).not.toMatch(/[{}]/);
  });

  test('same input and seed repeat', async () => {
    const first = await provider.generate(inputOf({ seed: 77 }));
    const second = await provider.generate(inputOf({ seed: 77 }));
    expect(second).toEqual(first);
  });

  test('seeds vary the suggestions', async () => {
    const outputs = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      outputs.add(JSON.stringify(await provider.generate(inputOf({ seed }))));
    }
    expect(outputs.size).toBeGreaterThan(5);
  });

  test('tone changes every suggestion', async () => {
    const warm = await provider.generate(inputOf({ tone: 'WARM' }));
    const poetic = await provider.generate(inputOf({ tone: 'POETIC' }));
    for (const suggestion of poetic) expect(warm).not.toContain(suggestion);
  });

  test('relationship kind changes the bond sentence', async () => {
    const colleague = await provider.generate(inputOf({ relationship: 'colleague' }));
    const partner = await provider.generate(inputOf({ relationship: 'wife' }));
    const colleagueText = colleague.join(' ');
    expect(colleagueText).not.toEqual(partner.join(' '));
    expect(colleagueText).toMatch(/work|team|office|Monday/i);
  });

  test('inserts the relationship as typed', async () => {
    const suggestions = await provider.generate(
      inputOf({ relationship: 'My Godmother', tone: 'FORMAL', seed: 3 }),
    );
    const text = suggestions.join(' ');
    expect(text).not.toContain('my my');
    expect(text).not.toContain('My Godmother');
  });

  test('weaves every detail sentence in', async () => {
    const suggestions = await provider.generate(
      inputOf({ details: 'Your new job at the library. The marathon in April' }),
    );
    const text = suggestions.join(' ');
    expect(text).toContain('your new job at the library');
    expect(text).toContain('the marathon in April');
  });

  test('keeps the case of a name that starts the details', async () => {
    const suggestions = await provider.generate(inputOf({ details: 'Lisbon in the spring' }));
    expect(suggestions.join(' ')).toContain('Lisbon in the spring');
  });

  test('recipient name case does not change the choice', async () => {
    const lower = await provider.generate(inputOf({ recipientName: 'jordan' }));
    const upper = await provider.generate(inputOf({ recipientName: 'Jordan' }));
    expect(lower.map((text) => text.replaceAll('jordan', 'Jordan'))).toEqual(upper);
  });

  test('sympathy keeps bond sentences gentle', async () => {
    const funny = await provider.generate(
      inputOf({ occasion: 'SYMPATHY', tone: 'FUNNY', relationship: 'husband' }),
    );
    expect(funny.join(' ')).not.toMatch(/singing in the kitchen|stuck with me|laugh at my jokes/);
  });
});

describe('relationshipKindOf', () => {
  test.each([
    ['grandmother', 'family'],
    ['my Mom', 'family'],
    ['sister-in-law', 'family'],
    ['wife', 'partner'],
    ['best friend', 'friend'],
    ['family friend', 'friend'],
    ['work friend', 'colleague'],
    ['boss', 'colleague'],
    ['neighbor', 'other'],
  ])('%s is %s', (relationship, kind) => {
    expect(relationshipKindOf(relationship)).toBe(kind);
  });
});

describe('detailFragments', () => {
  test('splits at sentence ends and semicolons', () => {
    expect(detailFragments('First thing. Second thing; third thing!')).toEqual([
      'First thing',
      'Second thing',
      'third thing',
    ]);
  });

  test('splits at line breaks', () => {
    expect(detailFragments('one\ntwo')).toEqual(['one', 'two']);
  });

  test('shortens a long fact at a word boundary', () => {
    const fact = `${'word '.repeat(40)}end`;
    const [shortened] = detailFragments(fact);
    expect(shortened!.length).toBeLessThanOrEqual(120);
    expect(shortened!.endsWith('word')).toBe(true);
  });

  test('returns nothing for punctuation only', () => {
    expect(detailFragments(' ... ; ')).toEqual([]);
  });
});
