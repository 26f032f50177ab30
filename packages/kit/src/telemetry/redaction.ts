/**
 * Path prefixes whose next segment is a secret: a card page's `/c/<token>` link lets anyone
 * holding it open the card.
 */
const SECRET_SEGMENT_PREFIXES = ['/c/'];

/** Replaces the secret segment of a path, such as a card page token, with `{token}`. */
export function redactPath(path: string): string {
  for (const prefix of SECRET_SEGMENT_PREFIXES) {
    if (path.startsWith(prefix) && path.length > prefix.length) {
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      return `${prefix}{token}${slash === -1 ? '' : rest.slice(slash)}`;
    }
  }
  return path;
}

/**
 * Keeps the parameter names of a query string and replaces every value with `REDACTED`. A
 * GraphQL GET carries the operation and its variables in the query string, and variables can
 * hold personal data.
 */
export function redactQuery(search: string): string {
  const raw = search.startsWith('?') ? search.slice(1) : search;
  if (raw === '') return '';
  const names = raw.split('&').map((pair) => pair.split('=')[0] ?? '');
  return names.map((name) => `${name}=REDACTED`).join('&');
}

/** Returns the URL attributes of an HTTP span, with secrets and query values redacted. */
export function redactedUrlAttributes(url: URL, options: { full: boolean }) {
  const path = redactPath(url.pathname);
  const query = redactQuery(url.search);
  const attributes: Record<string, string> = { 'url.path': path, 'url.query': query };
  if (options.full) {
    attributes['url.full'] = `${url.origin}${path}${query === '' ? '' : `?${query}`}`;
  }
  return attributes;
}
