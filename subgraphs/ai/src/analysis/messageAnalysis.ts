import { createHash } from 'node:crypto';
import type { MusicSuggestion, Sentiment } from '../generated/resolvers';
import { suggestMusic } from '../music/suggestMusic';
import { analyzeSentiment } from './sentiment';

/** The fields that the ai subgraph adds to a card, computed from its message alone. */
export interface MessageAnalysis {
  sentiment: Sentiment;
  musicSuggestions: MusicSuggestion[];
}

/** Returns the hex SHA-256 of a message, the key its analysis is cached under. */
export function messageHashOf(message: string): string {
  return createHash('sha256').update(message).digest('hex');
}

/** Computes a message's sentiment and music suggestions; pure and deterministic. */
export function analyzeMessage(
  message: string,
  messageHash = messageHashOf(message),
): MessageAnalysis {
  const sentiment = analyzeSentiment(message);
  return {
    sentiment: { label: sentiment.label, score: sentiment.score },
    musicSuggestions: suggestMusic(sentiment, messageHash),
  };
}
