import Sentiment from 'sentiment';
import type { SentimentLabel } from '../generated/resolvers';

const analyzer = new Sentiment();

/**
 * Comparative scores (AFINN points per word) closer to zero than this are NEUTRAL. A single
 * mildly scored word in a ten-word message, such as "thanks" (+2), is above it.
 */
const NEUTRAL_BAND = 0.1;

/** A message's sentiment and the words it was computed from. */
export interface SentimentAnalysis {
  label: SentimentLabel;
  /** From -1 to 1. */
  score: number;
  /** The message's words, lowercased, without punctuation. */
  tokens: string[];
}

/**
 * Scores a message with the AFINN-165 word list of the `sentiment` package, which also
 * handles negation ("not happy") and emoji. The comparative score lies in [-5, 5]; tanh maps
 * it into (-1, 1) while keeping the small scores of typical messages apart.
 */
export function analyzeSentiment(message: string): SentimentAnalysis {
  const result = analyzer.analyze(message);
  const comparative = Number.isFinite(result.comparative) ? result.comparative : 0;

  let label: SentimentLabel = 'NEUTRAL';
  if (comparative >= NEUTRAL_BAND) label = 'POSITIVE';
  else if (comparative <= -NEUTRAL_BAND) label = 'NEGATIVE';

  return {
    label,
    score: Math.round(Math.tanh(comparative) * 1000) / 1000,
    tokens: result.tokens.filter((token) => token !== ''),
  };
}
