import { join } from 'node:path';
import { urlSetting } from '@heartfelt/kit';
import { z } from 'zod';

/**
 * The repository's `.data/outbox` folder. This file sits at the same depth in `src/` and in
 * `dist/` (`subgraphs/cards/<src|dist>/delivery/`), so four levels up is the repository root.
 */
const DEFAULT_OUTBOX_DIR = join(__dirname, '..', '..', '..', '..', '.data', 'outbox');

/** Settings the cards subgraph reads to schedule deliveries. */
export const schedulingSettings = {
  /** GraphQL endpoint of the payments subgraph, which returns the status of a card's order. */
  PAYMENTS_URL: urlSetting().default('http://127.0.0.1:4005/graphql'),
};

/** Settings the cards worker reads to deliver cards. */
export const deliveryWorkerSettings = {
  /** GraphQL endpoint of the users subgraph: recipient's name and email, sender's name. */
  USERS_URL: urlSetting().default('http://127.0.0.1:4001/graphql'),
  /** GraphQL endpoint of the templates subgraph: the template's title. */
  TEMPLATES_URL: urlSetting().default('http://127.0.0.1:4003/graphql'),
  /** Origin of the card links in emails (the gateway's origin), without a trailing slash. */
  PUBLIC_BASE_URL: urlSetting()
    .default('http://127.0.0.1:4000')
    .transform((url) => url.replace(/\/+$/, '')),
  /**
   * SMTP server URL for nodemailer, such as smtp://user:password@mail.example.com:587. When it
   * is unset, emails are written as .eml files to OUTBOX_DIR instead.
   */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /**
   * Folder of the outbox .eml files, used when SMTP_URL is unset. Default: `.data/outbox` in
   * the repository.
   */
  OUTBOX_DIR: z.string().min(1).default(DEFAULT_OUTBOX_DIR),
  /** The From header of card emails. */
  MAIL_FROM: z.string().min(3).default('Heartfelt <cards@heartfelt.localhost>'),
  /**
   * Fault injection for tests: milliseconds the worker waits after an email was sent and before
   * it records the delivery, so that a test can kill it in between. Keep 0 outside tests.
   */
  DELIVERY_TEST_DELAY_AFTER_SEND_MS: z.coerce.number().int().min(0).max(600_000).default(0),
};

/** Parsed worker settings that the mail adapters read. */
export type MailSettings = z.infer<z.ZodObject<typeof deliveryWorkerSettings>>;
