import type { ServerResponse } from 'node:http';

/**
 * Stable `error.code` values of the photo HTTP routes. Clients may branch on them; the
 * message is for people.
 */
export const PhotoErrorCode = {
  Unauthenticated: 'UNAUTHENTICATED',
  NotFound: 'NOT_FOUND',
  MethodNotAllowed: 'METHOD_NOT_ALLOWED',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  InvalidPhoto: 'INVALID_PHOTO',
  LimitExceeded: 'LIMIT_EXCEEDED',
  InvalidStatusTransition: 'INVALID_STATUS_TRANSITION',
  PhotoNotReady: 'PHOTO_NOT_READY',
  DependencyFailed: 'DEPENDENCY_FAILED',
  InternalServerError: 'INTERNAL_SERVER_ERROR',
} as const;

export type PhotoErrorCode = (typeof PhotoErrorCode)[keyof typeof PhotoErrorCode];

/**
 * A failure of a photo route, sent as `{ "error": { "code", "message" } }` with HTTP `status`
 * and any extra response `headers` (such as `allow`).
 */
export class PhotoError extends Error {
  constructor(
    readonly status: number,
    readonly code: PhotoErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'PhotoError';
  }
}

export const photoNotFound = (photoId: string): PhotoError =>
  new PhotoError(404, PhotoErrorCode.NotFound, `Photo ${JSON.stringify(photoId)} was not found.`);

export const cardNotFound = (cardId: string): PhotoError =>
  new PhotoError(404, PhotoErrorCode.NotFound, `Card ${JSON.stringify(cardId)} was not found.`);

export const unauthenticatedRequest = (): PhotoError =>
  new PhotoError(
    401,
    PhotoErrorCode.Unauthenticated,
    'This route requires a signed-in user: send "Authorization: Bearer <token>" from logIn.',
  );

export const invalidPhoto = (problem: string): PhotoError =>
  new PhotoError(422, PhotoErrorCode.InvalidPhoto, problem);

/** Sends a JSON error response with the error's headers and `headers`. */
export function sendPhotoError(
  res: ServerResponse,
  error: PhotoError,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  res.writeHead(error.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    ...error.headers,
    ...headers,
  });
  res.end(body);
}
