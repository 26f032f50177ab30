import nodemailer, { type Transporter } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import { buildMimeMessage, type Mailer, type OutgoingMail } from './mailer';

/** Time limits of one SMTP conversation, in milliseconds, so a stuck server fails the job. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** Sends emails through an SMTP server with nodemailer. */
export class SmtpMailer implements Mailer {
  readonly transport = 'smtp';
  private readonly transporter: Transporter;

  /** `smtpUrl` is read by nodemailer's URL parser, so its query options apply as well. */
  constructor(smtpUrl: string) {
    this.transporter = nodemailer.createTransport({
      ...parseConnectionUrl(smtpUrl),
      ...SMTP_TIMEOUTS,
    });
  }

  /**
   * Returns null: an SMTP server cannot be asked whether it accepted a message earlier.
   *
   * NOTE: so a worker that dies after the server accepted an email and before the delivery is
   * recorded sends it again on retry. The copy carries the same Message-ID, and only a
   * receiver that drops duplicate Message-IDs keeps the recipient from seeing it twice.
   */
  async wasSent(): Promise<null> {
    return null;
  }

  async send(mail: OutgoingMail): Promise<void> {
    const raw = await buildMimeMessage(mail, new Date());
    await this.transporter.sendMail({
      envelope: { from: mail.from, to: mail.to.address },
      raw,
    });
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
