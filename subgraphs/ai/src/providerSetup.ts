import { ConfigError, type ServiceKit } from '@heartfelt/kit';
import { createMessageProvider } from './providers/createMessageProvider';
import type { MessageProvider } from './providers/messageProvider';
import { parseProviderSettings, type AiSettings, type ProviderSettings } from './settings';

/**
 * Creates the message provider that the settings choose. On invalid provider settings it prints
 * the kit's configuration message, releases the kit's connections and exits with status 78
 * (EX_CONFIG), like the kit does for any other setting.
 */
export async function createConfiguredProvider(
  kit: Pick<ServiceKit, 'name' | 'logger' | 'runShutdown'>,
  settings: AiSettings,
): Promise<MessageProvider> {
  let providerSettings: ProviderSettings;
  try {
    providerSettings = parseProviderSettings(settings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${kit.name}: ${error.message}\n`);
    await kit.runShutdown();
    process.exit(78);
  }
  const provider = createMessageProvider(providerSettings);
  kit.logger.info({ provider: provider.name }, 'message provider chosen');
  return provider;
}
