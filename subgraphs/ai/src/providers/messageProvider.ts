import type { GenerationInput } from '../repository/documents';

/** How many suggestions every provider returns for one generation. */
export const SUGGESTION_COUNT = 3;

/**
 * A writer of card messages. `generate` returns up to {@link SUGGESTION_COUNT} suggestions,
 * best first, and raises {@link MessageProviderError} when it cannot produce any.
 */
export interface MessageProvider {
  /** Short provider name stored with each generation, such as `local`. */
  readonly name: string;
  generate(input: GenerationInput): Promise<string[]>;
}

/** Raised when a provider fails to produce suggestions; the message never contains secrets. */
export class MessageProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider} message provider: ${message}`, options);
    this.name = 'MessageProviderError';
  }
}
