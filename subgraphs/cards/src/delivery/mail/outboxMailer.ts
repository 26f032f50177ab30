import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeliveryId } from '../ids';
import { buildMimeMessage, type Mailer, type OutgoingMail } from './mailer';

/**
 * Writes each email as `<folder>/<deliveryId>.eml`, a complete message that a mail client can
 * open. A file is written under a temporary name, flushed to disk and then hard-linked to its
 * `.eml` name, so that name appears only once the whole message is there, and never replaces
 * an earlier file. That makes the file's existence the record that the email was sent.
 */
export class OutboxMailer implements Mailer {
  readonly transport = 'outbox';

  constructor(private readonly folder: string) {}

  async wasSent(deliveryId: string): Promise<boolean> {
    try {
      await stat(this.pathOf(deliveryId));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async send(mail: OutgoingMail): Promise<void> {
    const message = await buildMimeMessage(mail, new Date());
    await mkdir(this.folder, { recursive: true });
    const target = this.pathOf(mail.deliveryId);
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const file = await open(temporary, 'wx');
      try {
        await file.writeFile(message);
        await file.sync();
      } finally {
        await file.close();
      }
      await link(temporary, target).catch((error: NodeJS.ErrnoException) => {
        // The email of this delivery is in the outbox already, so this copy is dropped.
        if (error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async close(): Promise<void> {}

  /** Path of a delivery's file. Delivery ids are checked, so none can name another folder. */
  pathOf(deliveryId: string): string {
    if (!isDeliveryId(deliveryId)) {
      throw new TypeError(`OutboxMailer: ${JSON.stringify(deliveryId)} is not a delivery id`);
    }
    return join(this.folder, `${deliveryId}.eml`);
  }
}
