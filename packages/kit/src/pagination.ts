import { badUserInput } from './errors';

/** Largest page a connection field returns. */
export const MAX_PAGE_SIZE = 100;

/** Validated arguments of a Relay connection field. */
export interface PageRequest {
  first: number;
  /** Position after which the page starts, decoded from the `after` cursor. */
  after: CursorPosition | null;
}

/** A position in a list sorted by a time (descending or ascending) and then by id. */
export interface CursorPosition {
  /** Sort value: milliseconds since the epoch, or any number the list is sorted by. */
  value: number;
  id: string;
}

/** Encodes a position as an opaque cursor. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.value, position.id]), 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; anything else is BAD_USER_INPUT. */
export function decodeCursor(cursor: string): CursorPosition {
  const invalid = () =>
    badUserInput('Invalid cursor: pass an endCursor returned by this connection.', 'after');
  if (cursor.length > 200) throw invalid();
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'number' &&
      Number.isFinite(parsed[0]) &&
      typeof parsed[1] === 'string' &&
      parsed[1].length <= 64
    ) {
      return { value: parsed[0], id: parsed[1] };
    }
  } catch {
    // Falls through to the same error as a well-formed but wrong cursor.
  }
  throw invalid();
}

/** Validates `first` and `after` of a connection field. */
export function parsePageRequest(args: {
  first?: number | null;
  after?: string | null;
}): PageRequest {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInput(
      `"first" must be between 1 and ${MAX_PAGE_SIZE}, received ${first}.`,
      'first',
    );
  }
  return { first, after: args.after ? decodeCursor(args.after) : null };
}

/** A Relay connection page. */
export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/**
 * Builds a page from rows fetched with limit `first + 1`: the extra row only shows whether a next page exists.
 */
export function toConnection<T>(
  rows: T[],
  first: number,
  positionOf: (row: T) => CursorPosition,
  hasPrevious = false,
): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(positionOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
