import type { CardDocument } from '../repository/documents';
import { escapeHtml, escapeHtmlLines } from './html';
import { messageIdFor } from './ids';
import type { CardPresentation, Recipient } from './lookups';
import type { OutgoingMail } from './mail';

/** Everything a card email is built from. */
export interface CardEmailInput {
  card: CardDocument;
  deliveryId: string;
  recipient: Recipient;
  presentation: CardPresentation;
  /** The card page's absolute URL, `<PUBLIC_BASE_URL>/c/<token>`. */
  pageUrl: string;
  /** From header (MAIL_FROM). */
  from: string;
}

/** Returns the domain of the From address, for the Message-ID. */
function domainOf(from: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'heartfelt.localhost';
}

/** Builds a card's email: the message in text and HTML, with the link to the card's page. */
export function composeCardEmail(input: CardEmailInput): OutgoingMail {
  const { card, recipient, presentation, pageUrl } = input;
  const subject = `${presentation.senderName} sent you a card: ${presentation.templateTitle}`;
  const text = [
    `Hello ${recipient.name},`,
    '',
    `${presentation.senderName} sent you a card, "${presentation.templateTitle}":`,
    '',
    card.message,
    '',
    'Open your card:',
    pageUrl,
    '',
  ].join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif">',
    `<p>Hello ${escapeHtml(recipient.name)},</p>`,
    `<p>${escapeHtml(presentation.senderName)} sent you a card, ` +
      `<strong>${escapeHtml(presentation.templateTitle)}</strong>:</p>`,
    `<blockquote>${escapeHtmlLines(card.message)}</blockquote>`,
    `<p><a href="${escapeHtml(pageUrl)}">Open your card</a></p>`,
    '</body></html>',
  ].join('\n');

  return {
    deliveryId: input.deliveryId,
    messageId: messageIdFor(input.deliveryId, domainOf(input.from)),
    from: input.from,
    to: { name: recipient.name, address: recipient.email },
    subject,
    text,
    html,
  };
}

/** Returns the absolute URL of a card's public page. */
export function cardPageUrl(publicBaseUrl: string, publicToken: string): string {
  return `${publicBaseUrl}/c/${encodeURIComponent(publicToken)}`;
}
