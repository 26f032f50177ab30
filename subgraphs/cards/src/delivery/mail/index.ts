import type { Logger } from '@heartfelt/kit';
import type { MailSettings } from '../settings';
import type { Mailer } from './mailer';
import { OutboxMailer } from './outboxMailer';
import { SmtpMailer } from './smtpMailer';

export * from './mailer';
export { OutboxMailer } from './outboxMailer';
export { SmtpMailer } from './smtpMailer';

/** Creates the SMTP mailer when SMTP_URL is set, otherwise the outbox folder mailer. */
export function createMailer(
  settings: Pick<MailSettings, 'SMTP_URL' | 'OUTBOX_DIR'>,
  logger: Logger,
): Mailer {
  if (settings.SMTP_URL) {
    const url = new URL(settings.SMTP_URL);
    logger.info({ host: url.hostname, port: url.port }, 'card emails go to an SMTP server');
    return new SmtpMailer(settings.SMTP_URL);
  }
  logger.info({ folder: settings.OUTBOX_DIR }, 'card emails go to the outbox folder as .eml files');
  return new OutboxMailer(settings.OUTBOX_DIR);
}
