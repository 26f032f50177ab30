import type { IncomingMessage } from 'node:http';
import { PhotoError, PhotoErrorCode } from './errors';

function tooLarge(maxBytes: number): PhotoError {
  return new PhotoError(
    413,
    PhotoErrorCode.PayloadTooLarge,
    `The photo is larger than ${maxBytes} bytes (${formatMebibytes(maxBytes)}): ` +
      'upload a smaller or more compressed file.',
  );
}

function formatMebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}

/** Raises PAYLOAD_TOO_LARGE when the declared Content-Length exceeds `maxBytes`. */
export function checkDeclaredLength(req: IncomingMessage, maxBytes: number): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
}

/**
 * Reads a request body of at most `maxBytes` into memory. Raises PAYLOAD_TOO_LARGE as soon as
 * more arrives and stops buffering, leaving the request paused, so that the caller can still
 * send a response. Leaving a `for await` loop early would destroy the socket before the
 * response is written. An empty body raises INVALID_PHOTO.
 */
export function readLimitedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;

    const finish = (error: Error | null) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error) reject(error);
      else if (size === 0) reject(emptyBody());
      else resolve(Buffer.concat(parts, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        finish(tooLarge(maxBytes));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => finish(null);
    const onError = (error: Error) => finish(error);
    const onClose = () => finish(new Error('the client closed the connection during the upload'));

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function emptyBody(): PhotoError {
  return new PhotoError(
    422,
    PhotoErrorCode.InvalidPhoto,
    'The request body is empty: send the photo file as the body.',
  );
}

/** Maximum time, in milliseconds, spent discarding the rest of a rejected body. */
const DISCARD_MAX_MS = 3000;
/** Maximum bytes of a rejected body discarded before the connection is destroyed. */
const DISCARD_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Discards the unread rest of a request body, without keeping it, and destroys the connection
 * once more than {@link DISCARD_MAX_BYTES} arrive or {@link DISCARD_MAX_MS} pass. Closing the
 * connection at once would be cheaper, but clients that send their whole body before reading
 * the response, such as Node's fetch (undici), then report a connection error instead of the
 * response already sent. A body that ends within the limits leaves the connection reusable.
 */
export function discardRemainingBody(req: IncomingMessage): void {
  let discarded = 0;
  const timer = setTimeout(() => req.destroy(), DISCARD_MAX_MS);
  timer.unref();
  const stop = () => clearTimeout(timer);
  req.once('end', stop);
  req.once('close', stop);
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_MAX_BYTES) req.destroy();
  });
  req.resume();
}
