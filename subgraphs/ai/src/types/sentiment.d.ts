/**
 * Types for the `sentiment` package (5.0.2), which ships none: AFINN-165 word scores with
 * negation handling and emoji scores.
 */
declare module 'sentiment' {
  namespace Sentiment {
    interface AnalysisOptions {
      /** Language code of a registered language. Default `en`. */
      language?: string;
      /** Word scores that add to or override the language's list. */
      extras?: Record<string, number>;
    }

    interface AnalysisResult {
      /** Sum of the scores of the scored words. */
      score: number;
      /** `score` divided by the number of tokens, so in [-5, 5]. */
      comparative: number;
      /** One `{ word: score }` entry per scored word. */
      calculation: Array<Record<string, number>>;
      /** Every token of the input, lowercased, punctuation removed. */
      tokens: string[];
      /** The scored words. */
      words: string[];
      positive: string[];
      negative: string[];
    }
  }

  class Sentiment {
    analyze(phrase: string, options?: Sentiment.AnalysisOptions): Sentiment.AnalysisResult;
  }

  export = Sentiment;
}
