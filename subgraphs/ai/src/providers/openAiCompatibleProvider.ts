import type { GenerationInput } from '../repository/documents';
import { MessageProviderError, SUGGESTION_COUNT, type MessageProvider } from './messageProvider';

/** Options of {@link OpenAiCompatibleProvider}. */
export interface OpenAiCompatibleOptions {
  /** API root that `/chat/completions` is appended to, such as `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Value of the request's `model` field. */
  model: string;
  /** Time allowed for one request, response body included, in milliseconds. Default 15 000. */
  timeoutMs?: number;
}

/** Maximum length of a suggestion kept from a model's reply, in characters. Longer ones are cut. */
const MAX_SUGGESTION_LENGTH = 600;

const systemPrompt =
  'You write short, tasteful greeting-card messages. Reply with JSON only, in the form ' +
  `{"suggestions": ["...", "...", "..."]}, with exactly ${SUGGESTION_COUNT} different ` +
  'suggestions, best first. Each suggestion is 1 to 3 sentences, addresses the recipient by ' +
  'name, and has no greeting line, signature or emoji.';

/**
 * Writes suggestions with any API that implements the OpenAI chat completions endpoint. Only
 * used when AI_PROVIDER=openai; the request carries the recipient's name, the relationship and
 * the details, so choosing this provider sends them to that API.
 */
export class OpenAiCompatibleProvider implements MessageProvider {
  readonly name = 'openai';
  private readonly endpoint: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  async generate(input: GenerationInput): Promise<string[]> {
    const body = {
      model: this.options.model,
      messages: [
        { role: 'system', content: systemPrompt },
        { role: 'user', content: describeRequest(input) },
      ],
      temperature: 0.8,
      seed: input.seed,
    };

    let response: Response;
    let raw: string;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.options.apiKey}`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      raw = await response.text();
    } catch (error) {
      // AbortSignal.timeout rejects with a DOMException, which is not always an Error instance.
      const { name, message } = error as { name?: unknown; message?: unknown };
      const reason =
        name === 'TimeoutError'
          ? `timed out after ${this.timeoutMs} ms`
          : `request failed (${String(message)})`;
      throw new MessageProviderError(this.name, `POST ${this.endpoint} ${reason}`, {
        cause: error,
      });
    }

    if (!response.ok) {
      throw new MessageProviderError(
        this.name,
        `POST ${this.endpoint} returned HTTP ${response.status}`,
      );
    }
    const suggestions = parseSuggestions(contentOf(parseJson(raw)));
    if (suggestions.length === 0) {
      throw new MessageProviderError(this.name, 'the reply contained no suggestions');
    }
    return suggestions.slice(0, SUGGESTION_COUNT);
  }
}

/** Describes the card in plain words for the model. */
function describeRequest(input: GenerationInput): string {
  const lines = [
    `Occasion: ${input.occasion.toLowerCase().replace('_', ' ')}`,
    `Tone: ${input.tone.toLowerCase()}`,
    `Recipient's name: ${input.recipientName}`,
    `The recipient is the sender's: ${input.relationship}`,
  ];
  if (input.details) lines.push(`Details to weave in: ${input.details}`);
  return lines.join('\n');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Returns `choices[0].message.content` of a chat completion, or an empty string. */
function contentOf(payload: unknown): string {
  const choices = (payload as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return '';
  const content = (choices[0] as { message?: { content?: unknown } } | undefined)?.message?.content;
  return typeof content === 'string' ? content : '';
}

/**
 * Reads suggestions from a model's reply: the JSON that the prompt requests (an object with a
 * `suggestions` array, or a bare array), possibly inside a Markdown code fence; otherwise one
 * suggestion per non-empty line, without list markers such as "1." or "-".
 */
export function parseSuggestions(content: string): string[] {
  const text = content
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');

  let items: unknown[] | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) items = parsed;
    else if (Array.isArray((parsed as { suggestions?: unknown } | null)?.suggestions)) {
      items = (parsed as { suggestions: unknown[] }).suggestions;
    }
  } catch {
    // Not JSON: read it as a list below.
  }
  items ??= text.split('\n').map((line) => line.replace(/^\s*(?:\d+[.)]|[-*•])\s*/, ''));

  return items
    .filter((item): item is string => typeof item === 'string')
    .map((item) =>
      item
        .trim()
        .replace(/^"(.*)"$/s, '$1')
        .trim(),
    )
    .filter((item) => item.length > 0)
    .map((item) => item.slice(0, MAX_SUGGESTION_LENGTH));
}
