import sharp from 'sharp';
import { MAX_PHOTO_PIXELS, OUTPUT_QUALITY, RESIZED_LONG_SIDE, THUMBNAIL_LONG_SIDE } from './limits';

/** One encoded image and its pixel dimensions. */
export interface RenderedImage {
  data: Buffer;
  width: number;
  height: number;
}

/** The files the media job stores for a photo. */
export interface RenderedPhoto {
  resized: RenderedImage;
  thumbnail: RenderedImage;
  /** MIME type of both images. */
  contentType: 'image/jpeg' | 'image/webp';
}

/**
 * Renders the stored versions of an uploaded photo: turned upright by its EXIF orientation,
 * at most {@link RESIZED_LONG_SIDE} px on the long side, plus a thumbnail of at most
 * {@link THUMBNAIL_LONG_SIDE} px. Smaller photos are not enlarged. sharp (0.34) writes no
 * metadata unless `keepMetadata`/`withMetadata` is called, so EXIF (GPS position, camera,
 * time), XMP and IPTC are dropped and colours are converted to sRGB; photos.test.ts checks the
 * EXIF part. Photos with an alpha channel become WebP, which keeps the transparency, and all
 * others become JPEG.
 */
export async function renderPhoto(original: Buffer): Promise<RenderedPhoto> {
  const metadata = await sharp(original).metadata();
  const keepsAlpha = metadata.hasAlpha;

  const resized = await encode(
    sharp(original, { limitInputPixels: MAX_PHOTO_PIXELS }).rotate(),
    RESIZED_LONG_SIDE,
    keepsAlpha,
  );
  // The thumbnail is scaled from the resized image, which is upright already and much smaller
  // to decode than the original.
  const thumbnail = await encode(sharp(resized.data), THUMBNAIL_LONG_SIDE, keepsAlpha);

  return { resized, thumbnail, contentType: keepsAlpha ? 'image/webp' : 'image/jpeg' };
}

async function encode(
  image: sharp.Sharp,
  longSide: number,
  keepsAlpha: boolean,
): Promise<RenderedImage> {
  const resized = image.resize(longSide, longSide, { fit: 'inside', withoutEnlargement: true });
  const encoded = keepsAlpha
    ? resized.webp({ quality: OUTPUT_QUALITY })
    : resized.jpeg({ quality: OUTPUT_QUALITY });
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
