import MailComposer from 'nodemailer/lib/mail-composer';

/** One card email, ready to be turned into an RFC 5322 message. */
export interface OutgoingMail {
  deliveryId: string;
  /** Message-ID header, the same on every attempt of one delivery. */
  messageId: string;
  /** From header, such as `Heartfelt <cards@example.com>`. */
  from: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
}

/** A way of sending card emails: the local outbox folder or an SMTP server. */
export interface Mailer {
  /** Name recorded with each delivery: `outbox` or `smtp`. */
  readonly transport: string;
  /**
   * Returns whether the email of `deliveryId` was already sent: true or false when the
   * transport can tell, null when it cannot.
   */
  wasSent(deliveryId: string): Promise<boolean | null>;
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

/** Builds the email as a MIME message (text and HTML alternatives), with nodemailer's composer. */
export function buildMimeMessage(mail: OutgoingMail, date: Date): Promise<Buffer> {
  const composer = new MailComposer({
    from: mail.from,
    to: { name: mail.to.name, address: mail.to.address },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    date,
    headers: { 'X-Heartfelt-Delivery-Id': mail.deliveryId },
  });
  return new Promise((resolve, reject) => {
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}
