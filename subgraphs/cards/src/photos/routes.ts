import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SubgraphRouteHandler } from '@heartfelt/kit';
import { discardRemainingBody } from './body';
import { PhotoError, PhotoErrorCode, sendPhotoError } from './errors';
import { servePhoto, type PhotoServeDependencies } from './serve';
import { uploadPhoto, type PhotoUploadDependencies } from './upload';

/** Dependencies of the photo routes. */
export type PhotoRouteDependencies = PhotoUploadDependencies & PhotoServeDependencies;

const uploadPath = /^\/cards\/([^/]+)\/photos\/?$/;
const downloadPath = /^\/photos\/([^/]+)(\/thumbnail)?\/?$/;

/**
 * Creates the cards subgraph's photo routes, by path prefix for `startSubgraph`:
 * `POST /cards/<cardId>/photos` uploads, `GET /photos/<photoId>` and
 * `GET /photos/<photoId>/thumbnail` download. Errors are sent as
 * `{ "error": { "code", "message" } }` with a code from {@link PhotoErrorCode}.
 */
export function createPhotoRoutes(
  deps: PhotoRouteDependencies,
): Record<'/cards/' | '/photos/', SubgraphRouteHandler> {
  return {
    '/cards/': (req, res, identity) =>
      handle(deps, req, res, async () => {
        const match = uploadPath.exec(pathOf(req));
        if (!match) throw noRoute(req);
        requireMethod(req, ['POST']);
        await uploadPhoto(deps, req, res, identity, match[1]!);
      }),
    '/photos/': (req, res, identity) =>
      handle(deps, req, res, async () => {
        const match = downloadPath.exec(pathOf(req));
        if (!match) throw noRoute(req);
        requireMethod(req, ['GET', 'HEAD']);
        await servePhoto(deps, req, res, identity, match[1]!, match[2] ? 'thumbnail' : 'photo');
      }),
  };
}

/**
 * Runs a route and sends its errors as JSON responses. When the response comes before the
 * request body was read to its end (a rejected or oversized upload), the rest of the body is discarded
 * within limits, see {@link discardRemainingBody}.
 */
async function handle(
  deps: PhotoRouteDependencies,
  req: IncomingMessage,
  res: ServerResponse,
  route: () => Promise<void>,
): Promise<void> {
  try {
    await route();
  } catch (error) {
    if (res.headersSent) {
      deps.logger.warn({ err: describe(error), path: pathOf(req) }, 'photo response cut short');
      res.destroy();
      return;
    }
    const bodyLeft = !req.readableEnded;
    if (error instanceof PhotoError) {
      sendPhotoError(res, error);
    } else {
      deps.logger.error({ err: error, path: pathOf(req) }, 'photo route failed');
      sendPhotoError(
        res,
        new PhotoError(500, PhotoErrorCode.InternalServerError, 'Internal server error.'),
      );
    }
    if (bodyLeft) discardRemainingBody(req);
  }
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}

function noRoute(req: IncomingMessage): PhotoError {
  return new PhotoError(404, PhotoErrorCode.NotFound, `No route for ${pathOf(req)}.`);
}

function requireMethod(req: IncomingMessage, methods: string[]): void {
  if (methods.includes(req.method ?? 'GET')) return;
  throw new PhotoError(
    405,
    PhotoErrorCode.MethodNotAllowed,
    `${req.method} is not allowed on ${pathOf(req)}: use ${methods.join(' or ')}.`,
    { allow: methods.join(', ') },
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
