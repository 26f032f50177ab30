import { createHash } from 'node:crypto';
import type { MusicSuggestion } from '../generated/resolvers';
import type { SentimentAnalysis } from '../analysis/sentiment';
import { catalogue, type Mood, type Piece } from './catalogue';

/** How many pieces a card gets. */
export const MUSIC_SUGGESTION_COUNT = 3;

/** A score at or above this (on the -1 to 1 scale) is strongly positive. */
const STRONGLY_POSITIVE = 0.5;

/** Points for each keyword of a piece found in the message, when the piece fits a target mood. */
const KEYWORD_POINTS = 10;
/** Points for each keyword found when the piece fits none of the target moods. */
const OFF_MOOD_KEYWORD_POINTS = 1;

const words = (list: string) => new Set(list.split(' '));

/** Words that call for moods of their own, checked in the order of {@link targetMoods}. */
const griefWords = words(
  'loss lost sorry condolences sympathy passed passing grief grieving mourning funeral sad',
);
const loveWords = words(
  'love loved loving adore darling sweetheart romance romantic kiss kisses valentine beloved dearest',
);
const recoveryWords = words('recover recovery heal healing better surgery hospital sick ill');
const festiveWords = words(
  'birthday christmas xmas holiday holidays hanukkah party celebrate celebration',
);
const achievementWords = words(
  'congratulations congrats proud graduation graduate graduated promotion achievement success',
);

/**
 * Returns the moods that suit a message, best first. Comforting and calm come first for a
 * negative message or words of grief, then romantic and tender when love words appear. Words of
 * recovery, celebration and achievement add hopeful, festive and triumphant. The moods of the
 * sentiment itself come last: joyful and upbeat when it is strongly positive.
 */
export function targetMoods(analysis: SentimentAnalysis): Mood[] {
  const has = (list: ReadonlySet<string>) => analysis.tokens.some((token) => list.has(token));
  const moods: Mood[] = [];

  if (analysis.label === 'NEGATIVE' || has(griefWords)) moods.push('comforting', 'calm');
  if (has(loveWords)) moods.push('romantic', 'tender');
  if (has(recoveryWords)) moods.push('hopeful');
  if (has(festiveWords)) moods.push('festive');
  if (has(achievementWords)) moods.push('triumphant');

  if (analysis.label === 'POSITIVE') {
    moods.push(
      ...(analysis.score >= STRONGLY_POSITIVE
        ? (['joyful', 'upbeat'] as const)
        : (['joyful', 'hopeful'] as const)),
    );
  } else if (analysis.label === 'NEUTRAL') {
    moods.push('calm', 'hopeful');
  }
  return [...new Set(moods)];
}

/**
 * Picks {@link MUSIC_SUGGESTION_COUNT} pieces for a message. A piece scores points for every
 * target mood it has (more for moods earlier in the list) and for every keyword of its own
 * that the message contains. A hash of the message and the title breaks ties, so the choice is
 * the same for the same message but varies between messages.
 */
export function suggestMusic(analysis: SentimentAnalysis, messageHash: string): MusicSuggestion[] {
  const moods = targetMoods(analysis);
  const tokens = new Set(analysis.tokens);

  const ranked = catalogue
    .map((piece) => ({
      piece,
      points: pointsOf(piece, moods, tokens),
      tieBreak: tieBreakOf(piece, messageHash),
    }))
    .sort((a, b) => b.points - a.points || a.tieBreak.localeCompare(b.tieBreak));

  return ranked.slice(0, MUSIC_SUGGESTION_COUNT).map(({ piece }) => ({
    title: piece.title,
    artist: piece.artist,
    mood: moods.find((mood) => piece.moods.includes(mood)) ?? piece.moods[0]!,
  }));
}

function pointsOf(piece: Piece, moods: readonly Mood[], tokens: ReadonlySet<string>): number {
  let points = 0;
  for (const mood of piece.moods) {
    const index = moods.indexOf(mood);
    if (index >= 0) points += moods.length - index;
  }
  const keywordPoints = points > 0 ? KEYWORD_POINTS : OFF_MOOD_KEYWORD_POINTS;
  for (const keyword of piece.keywords) {
    if (tokens.has(keyword)) points += keywordPoints;
  }
  return points;
}

function tieBreakOf(piece: Piece, messageHash: string): string {
  return createHash('sha256').update(`${messageHash}\u0000${piece.title}`).digest('hex');
}
