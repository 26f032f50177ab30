import { z } from 'zod';

/** Smallest accepted width and height of an uploaded photo, in pixels. */
export const MIN_PHOTO_SIDE = 200;
/** Largest accepted width and height of an uploaded photo, in pixels. */
export const MAX_PHOTO_SIDE = 8000;
/** Largest accepted width × height of an uploaded photo, in pixels (40 megapixels). */
export const MAX_PHOTO_PIXELS = 40_000_000;
/** Photos one card may have. */
export const MAX_PHOTOS_PER_CARD = 10;

/** Long side of the processed photo, in pixels; smaller photos are not enlarged. */
export const RESIZED_LONG_SIDE = 2048;
/** Long side of the thumbnail, in pixels. */
export const THUMBNAIL_LONG_SIDE = 320;
/** Quality (1–100) of the JPEG and WebP files the media job writes. */
export const OUTPUT_QUALITY = 82;

/** How long browsers may reuse a served photo, in seconds. */
export const PHOTO_CACHE_MAX_AGE_SECONDS = 24 * 3600;

/** Settings of photo uploads, read by the cards subgraph. */
export const photoSettings = {
  /** Largest accepted upload body, in bytes. Default 10 MiB. */
  PHOTO_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(10 * 1024 * 1024),
};
