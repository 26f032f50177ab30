import type { ProviderSettings } from '../settings';
import { LocalMessageProvider } from './localMessageProvider';
import type { MessageProvider } from './messageProvider';
import { OpenAiCompatibleProvider } from './openAiCompatibleProvider';

/** Creates the message provider that the settings choose; `local` unless AI_PROVIDER=openai. */
export function createMessageProvider(settings: ProviderSettings): MessageProvider {
  if (settings.provider === 'openai') {
    return new OpenAiCompatibleProvider({
      baseUrl: settings.baseUrl,
      apiKey: settings.apiKey,
      model: settings.model,
    });
  }
  return new LocalMessageProvider();
}
