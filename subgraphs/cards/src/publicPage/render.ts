import { escapeHtml, escapeHtmlLines } from '../delivery/html';
import type { CardPresentation } from '../delivery/lookups';

/** Content of the recipient's page. */
export interface CardPageContent {
  message: string;
  presentation: CardPresentation;
}

const STYLE = `
  body { margin: 0; font-family: Georgia, serif; background: #f7f1ea; color: #2b2118; }
  main { max-width: 36rem; margin: 3rem auto; padding: 2rem; background: #fff;
    border-radius: 12px; box-shadow: 0 2px 12px rgb(0 0 0 / 0.08); }
  img { width: 100%; border-radius: 8px; }
  h1 { font-size: 1.6rem; margin-top: 0; }
  .message { font-size: 1.2rem; line-height: 1.6; }
  .sender { color: #7a6656; font-style: italic; }
`;

/** Wraps a page body in the document every card page shares. Escapes `title`, not `body`. */
function document(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body><main>${body}</main></body>`,
    '</html>',
    '',
  ].join('\n');
}

/** Returns true for an http(s) URL, the only kind of artwork URL put in an `<img>`. */
function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Renders a card for its recipient. Every text from users or templates is escaped. */
export function renderCardPage(content: CardPageContent): string {
  const { presentation } = content;
  const artwork =
    presentation.artworkUrl && isWebUrl(presentation.artworkUrl)
      ? `<img src="${escapeHtml(presentation.artworkUrl)}" alt="">`
      : '';
  return document(
    presentation.templateTitle,
    [
      artwork,
      `<h1>${escapeHtml(presentation.templateTitle)}</h1>`,
      `<p class="message">${escapeHtmlLines(content.message)}</p>`,
      `<p class="sender">From ${escapeHtml(presentation.senderName)}</p>`,
    ].join('\n'),
  );
}

/** Page for a token that names no delivered card. */
export function renderNotFoundPage(): string {
  return document(
    'Card not found',
    '<h1>Card not found</h1>\n<p>This link does not lead to a card. Check that the whole ' +
      'link from your email was copied.</p>',
  );
}

/** Page for a card that could not be loaded because a service it needs failed. */
export function renderUnavailablePage(): string {
  return document(
    'Card unavailable',
    '<h1>Your card could not be loaded</h1>\n<p>Please reload this page in a minute.</p>',
  );
}
