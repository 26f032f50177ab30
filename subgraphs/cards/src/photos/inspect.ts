import sharp from 'sharp';
import { invalidPhoto, PhotoError, PhotoErrorCode } from './errors';
import { MAX_PHOTO_PIXELS, MAX_PHOTO_SIDE, MIN_PHOTO_SIDE } from './limits';

/** Image formats accepted for upload. */
export type PhotoFormat = 'jpeg' | 'png' | 'webp';

export const contentTypeOf: Record<PhotoFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

const formatNames: Record<PhotoFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP' };

const ACCEPTED_TYPES = 'image/jpeg, image/png or image/webp';

/** Facts about an uploaded photo, found by the upload check. */
export interface PhotoFacts {
  format: PhotoFormat;
  /** Stored width and height in pixels, before any EXIF rotation. */
  width: number;
  height: number;
}

/**
 * Returns the format named by a Content-Type header (parameters ignored), or raises
 * UNSUPPORTED_MEDIA_TYPE for any other type.
 */
export function formatOfContentType(header: string | undefined): PhotoFormat {
  const mediaType = (header ?? '').split(';')[0]!.trim().toLowerCase();
  const format = (Object.keys(contentTypeOf) as PhotoFormat[]).find(
    (candidate) => contentTypeOf[candidate] === mediaType,
  );
  if (format) return format;
  throw new PhotoError(
    415,
    PhotoErrorCode.UnsupportedMediaType,
    `Content-Type ${JSON.stringify(header ?? '')} is not supported: send the photo as the ` +
      `request body with Content-Type ${ACCEPTED_TYPES}.`,
  );
}

/** Identifies a JPEG, PNG or WebP file by its first bytes (its signature), or returns null. */
export function detectFormat(bytes: Buffer): PhotoFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'jpeg';
  }
  const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && pngSignature.every((byte, index) => bytes[index] === byte)) {
    return 'png';
  }
  // A WebP file is a RIFF container: "RIFF", a 4-byte size, then "WEBP".
  if (
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return 'webp';
  }
  return null;
}

/**
 * Checks an uploaded photo by its content: the signature must be that of the declared format,
 * the dimensions within the limits, and the pixel data must decode. Raises
 * UNSUPPORTED_MEDIA_TYPE (415) or INVALID_PHOTO (422) otherwise.
 */
export async function inspectPhoto(body: Buffer, declared: PhotoFormat): Promise<PhotoFacts> {
  const detected = detectFormat(body);
  if (detected === null) {
    throw new PhotoError(
      415,
      PhotoErrorCode.UnsupportedMediaType,
      `The request body is not a JPEG, PNG or WebP image (its first bytes match none of them), ` +
        `although Content-Type is ${contentTypeOf[declared]}: upload an image file.`,
    );
  }
  if (detected !== declared) {
    throw new PhotoError(
      415,
      PhotoErrorCode.UnsupportedMediaType,
      `Content-Type is ${contentTypeOf[declared]} but the body is a ${formatNames[detected]} ` +
        `image: send Content-Type ${contentTypeOf[detected]}.`,
    );
  }

  const name = formatNames[detected];
  let metadata: sharp.Metadata;
  try {
    metadata = await sharp(body).metadata();
  } catch {
    throw invalidPhoto(
      `The ${name} image has a damaged header and cannot be read: upload an undamaged file.`,
    );
  }
  if (metadata.format !== detected) {
    throw invalidPhoto(`The ${name} image cannot be read as ${name}: upload an undamaged file.`);
  }
  if ((metadata.pages ?? 1) > 1) {
    throw invalidPhoto(`Animated ${name} images are not supported: upload a still image.`);
  }

  const { width, height } = metadata;
  checkDimensions(width, height);
  await checkDecodes(body, name);
  return { format: detected, width, height };
}

function checkDimensions(width: number, height: number): void {
  const size = `${width}×${height} pixels`;
  if (width < MIN_PHOTO_SIDE || height < MIN_PHOTO_SIDE) {
    throw invalidPhoto(
      `The photo is ${size}; both sides must be at least ${MIN_PHOTO_SIDE} pixels.`,
    );
  }
  if (width > MAX_PHOTO_SIDE || height > MAX_PHOTO_SIDE) {
    throw invalidPhoto(
      `The photo is ${size}; neither side may exceed ${MAX_PHOTO_SIDE} pixels: scale it down.`,
    );
  }
  if (width * height > MAX_PHOTO_PIXELS) {
    throw invalidPhoto(
      `The photo is ${size}, more than ${MAX_PHOTO_PIXELS / 1_000_000} megapixels: scale it down.`,
    );
  }
}

/**
 * Decodes the whole image at a small size, so that a file with a valid header but truncated
 * or damaged pixel data is rejected here rather than failing later in the media job. JPEG is
 * decoded at a reduced scale (libjpeg shrink-on-load), which keeps this cheap.
 */
async function checkDecodes(body: Buffer, name: string): Promise<void> {
  try {
    await sharp(body, { limitInputPixels: MAX_PHOTO_PIXELS })
      .resize(64, 64, { fit: 'inside' })
      .raw()
      .toBuffer();
  } catch {
    throw invalidPhoto(
      `The ${name} image is damaged or incomplete and cannot be decoded: upload the file again.`,
    );
  }
}
