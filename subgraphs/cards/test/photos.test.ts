import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { issueAccessToken, newOwnedId, newTemplateId, newUserId } from '@heartfelt/kit';
import {
  gatewayTokenFor,
  graphql,
  startGraph,
  storeCommandCount,
  testSecrets,
  type TestGraph,
} from '@heartfelt/testkit';
import { GridFSBucket, type ObjectId } from 'mongodb';
import sharp from 'sharp';

/** Upload limit the services of this file run with, so that an oversized body stays small. */
const MAX_BYTES = 1024 * 1024;

let graph: TestGraph;
let origin: string;

beforeAll(async () => {
  graph = await startGraph({
    subgraphs: ['cards'],
    workers: ['cards'],
    env: { PHOTO_MAX_BYTES: String(MAX_BYTES) },
  });
  origin = new URL(graph.gatewayUrl).origin;
}, 180_000);

afterAll(async () => {
  await graph?.stop();
});

interface PhotoResult {
  id: string;
  url: string;
  thumbnailUrl: string | null;
  status: string;
  width: number | null;
  height: number | null;
}

interface Owner {
  userId: string;
  token: string;
}

async function newOwner(): Promise<Owner> {
  const userId = newUserId();
  return { userId, token: await issueAccessToken(userId, testSecrets.JWT_SECRET, 3600) };
}

/** Writes a card straight to the store; the photo routes only read it. */
async function insertCard(ownerId: string, status = 'DRAFT'): Promise<string> {
  const id = newOwnedId('card', ownerId);
  const now = new Date();
  await graph.db.collection('cards').insertOne({
    _id: id as never,
    ownerId,
    templateId: newTemplateId(),
    contactId: newOwnedId('contact', ownerId),
    message: 'Happy birthday!',
    status,
    sendAt: null,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

function upload(
  cardId: string,
  body: Buffer | ReadableStream<Uint8Array>,
  options: { token?: string; contentType?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'image/jpeg' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return fetch(`${origin}/cards/${cardId}/photos`, {
    method: 'POST',
    headers,
    body,
    // Required by fetch for a streamed request body.
    duplex: 'half',
    signal: AbortSignal.timeout(20_000),
  } as RequestInit);
}

/**
 * Uploads over a connection of its own, with Content-Length `length` or chunked when null.
 * NOTE: the gateway leaves the rest of a body unread when the subgraph responds early, so the
 * client connection that carried an oversized upload cannot be reused. On a shared keep-alive
 * connection the next test's request would hang.
 */
function uploadOnNewConnection(
  cardId: string,
  token: string,
  chunks: Buffer[],
  length: number | null,
): Promise<{ status: number; code: unknown }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      'content-type': 'image/jpeg',
      authorization: `Bearer ${token}`,
    };
    if (length !== null) headers['content-length'] = String(length);
    const request = http.request(
      `${origin}/cards/${cardId}/photos`,
      { method: 'POST', headers, agent: false, timeout: 20_000 },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (part: string) => (text += part));
        response.on('end', () => {
          const body = JSON.parse(text) as { error?: { code?: unknown } };
          resolve({ status: response.statusCode ?? 0, code: body.error?.code });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('upload timed out after 20 s')));
    // A write error after the server has responded and closed is reported, not swallowed.
    request.on('error', reject);
    const writeNext = (index: number): void => {
      if (index === chunks.length) {
        request.end();
        return;
      }
      if (request.write(chunks[index]!)) writeNext(index + 1);
      else request.once('drain', () => writeNext(index + 1));
    };
    writeNext(0);
  });
}

function download(path: string, token?: string): Promise<Response> {
  return fetch(`${origin}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
}

async function errorCode(response: Response): Promise<unknown> {
  const body = (await response.json()) as { error?: { code?: unknown } };
  return body.error?.code;
}

async function cardPhotos(owner: Owner, cardId: string): Promise<PhotoResult[]> {
  const result = await graphql<{ card: { photos: PhotoResult[] } | null }>(
    graph.gatewayUrl,
    `
      query ($id: ID!) {
        card(id: $id) {
          photos {
            id
            url
            thumbnailUrl
            status
            width
            height
          }
        }
      }
    `,
    { token: owner.token, variables: { id: cardId } },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.card!.photos;
}

/** Polls Card.photos until the photo leaves PROCESSING, for at most 20 seconds. */
async function waitForProcessed(owner: Owner, cardId: string, photoId: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const photo = (await cardPhotos(owner, cardId)).find((candidate) => candidate.id === photoId);
    if (photo && photo.status !== 'PROCESSING') return photo;
    if (Date.now() > deadline) throw new Error(`photo ${photoId} still processing after 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Counts what photo uploads store: GridFS files and chunks, and photo documents. */
async function storedCounts() {
  const [files, chunks, photos] = await Promise.all([
    graph.db.collection('photos.files').countDocuments({}),
    graph.db.collection('photos.chunks').countDocuments({}),
    graph.db.collection('photos').countDocuments({}),
  ]);
  return { files, chunks, photos };
}

/** Ids of the GridFS files stored for one photo, sorted. */
async function fileIdsOf(photoId: string): Promise<string[]> {
  const files = await graph.db
    .collection('photos.files')
    .find({ 'metadata.photoId': photoId })
    .toArray();
  return files.map((file) => String(file._id)).sort();
}

function solidImage(width: number, height: number, channels: 3 | 4 = 3): sharp.Sharp {
  const background = channels === 4 ? { r: 40, g: 120, b: 200, alpha: 0.5 } : '#c0392b';
  return sharp({ create: { width, height, channels, background } });
}

async function jpeg(width: number, height: number): Promise<Buffer> {
  return solidImage(width, height).jpeg().toBuffer();
}

/**
 * Creates a JPEG as a phone writes it: stored sideways with EXIF orientation 6 (rotate 90° to show it),
 * camera details and a GPS position.
 */
async function phoneJpeg(width: number, height: number): Promise<Buffer> {
  return solidImage(width, height)
    .withExif({
      IFD0: { Make: 'ExampleCam', Model: 'Model 1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' },
    })
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer();
}

/** Returns true when an EXIF block links a GPS IFD (tag 0x8825 in IFD0). */
function hasGpsInfo(exif: Buffer | undefined): boolean {
  if (!exif) return false;
  const tiff = exif.toString('latin1', 0, 6) === 'Exif\0\0' ? exif.subarray(6) : exif;
  const littleEndian = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (littleEndian ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (littleEndian ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd0 = u32(4);
  const entries = u16(ifd0);
  for (let index = 0; index < entries; index++) {
    if (u16(ifd0 + 2 + index * 12) === 0x8825) return true;
  }
  return false;
}

describe('rejected uploads', () => {
  test('text file sent as JPEG is 415 and stores nothing', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const before = await storedCounts();

    const response = await upload(cardId, Buffer.from('just some text, renamed to photo.jpg\n'), {
      token: owner.token,
      contentType: 'image/jpeg',
    });

    expect(response.status).toBe(415);
    expect(await errorCode(response)).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await storedCounts()).toEqual(before);
  });

  test('PNG declared as JPEG is 415', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const png = await solidImage(300, 300).png().toBuffer();
    const before = await storedCounts();

    const response = await upload(cardId, png, { token: owner.token, contentType: 'image/jpeg' });

    expect(response.status).toBe(415);
    expect(await errorCode(response)).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await storedCounts()).toEqual(before);
  });

  test('unsupported content type is 415', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);

    const response = await upload(cardId, await jpeg(300, 300), {
      token: owner.token,
      contentType: 'image/gif',
    });

    expect(response.status).toBe(415);
    expect(await errorCode(response)).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  test('declared oversized body is 413 and stores nothing', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const body = Buffer.concat([await jpeg(300, 300), randomBytes(MAX_BYTES)]);
    const before = await storedCounts();

    const response = await uploadOnNewConnection(cardId, owner.token, [body], body.length);

    expect(response.status).toBe(413);
    expect(response.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storedCounts()).toEqual(before);
  });

  test('streamed oversized body is 413 and stores nothing', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const header = await jpeg(300, 300);
    // Sent without Content-Length (chunked), 64 KiB at a time, up to twice the limit.
    const chunks = [header];
    for (let size = header.length; size < 2 * MAX_BYTES; size += 64 * 1024) {
      chunks.push(randomBytes(64 * 1024));
    }
    const before = await storedCounts();

    const response = await uploadOnNewConnection(cardId, owner.token, chunks, null);

    expect(response.status).toBe(413);
    expect(response.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storedCounts()).toEqual(before);
  });

  test('100x100 image is 422 and stores nothing', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const before = await storedCounts();

    const response = await upload(cardId, await jpeg(100, 100), { token: owner.token });

    expect(response.status).toBe(422);
    expect(await errorCode(response)).toBe('INVALID_PHOTO');
    expect(await storedCounts()).toEqual(before);
  });

  test('image over 40 megapixels is 422', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);

    const response = await upload(cardId, await jpeg(7000, 6000), { token: owner.token });

    expect(response.status).toBe(422);
    expect(await errorCode(response)).toBe('INVALID_PHOTO');
  });

  test('corrupt JPEG header is 422 and stores nothing', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4096)]);
    const before = await storedCounts();

    const response = await upload(cardId, corrupt, { token: owner.token });

    expect(response.status).toBe(422);
    expect(await errorCode(response)).toBe('INVALID_PHOTO');
    expect(await storedCounts()).toEqual(before);
  });

  test('truncated JPEG is 422 and stores nothing', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const whole = await sharp({
      create: {
        width: 800,
        height: 600,
        channels: 3,
        background: '#000000',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .jpeg()
      .toBuffer();
    const before = await storedCounts();

    const response = await upload(cardId, whole.subarray(0, whole.length / 2), {
      token: owner.token,
    });

    expect(response.status).toBe(422);
    expect(await errorCode(response)).toBe('INVALID_PHOTO');
    expect(await storedCounts()).toEqual(before);
  });

  test("another user's card is 404", async () => {
    const owner = await newOwner();
    const stranger = await newOwner();
    const cardId = await insertCard(owner.userId);

    const response = await upload(cardId, await jpeg(300, 300), { token: stranger.token });

    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe('NOT_FOUND');
  });

  test('missing card is 404', async () => {
    const owner = await newOwner();

    const response = await upload(newOwnedId('card', owner.userId), await jpeg(300, 300), {
      token: owner.token,
    });

    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe('NOT_FOUND');
  });

  test('anonymous upload is 401', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);

    const response = await upload(cardId, await jpeg(300, 300));

    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('UNAUTHENTICATED');
  });

  test('sent card is 409', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId, 'SENT');

    const response = await upload(cardId, await jpeg(300, 300), { token: owner.token });

    expect(response.status).toBe(409);
    expect(await errorCode(response)).toBe('INVALID_STATUS_TRANSITION');
  });

  test('GET on the upload path is 405', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);

    const response = await download(`/cards/${cardId}/photos`, owner.token);

    expect(response.status).toBe(405);
    expect(await errorCode(response)).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('processed photos', () => {
  test('phone JPEG becomes READY, upright, without EXIF', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const original = await phoneJpeg(3000, 2000);
    // The test image must carry what the processing is meant to remove.
    expect(hasGpsInfo((await sharp(original).metadata()).exif)).toBe(true);

    const response = await upload(cardId, original, { token: owner.token });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as { id: string; status: string };
    expect(accepted.status).toBe('PROCESSING');

    const photo = await waitForProcessed(owner, cardId, accepted.id);
    expect(photo.status).toBe('READY');
    // Stored 3000x2000 with orientation 6: upright it is 2000x3000, scaled to fit 2048.
    expect(photo.width).toBe(1365);
    expect(photo.height).toBe(2048);
    expect(photo.url).toBe(`/photos/${accepted.id}`);
    expect(photo.thumbnailUrl).toBe(`/photos/${accepted.id}/thumbnail`);

    const served = await download(photo.url, owner.token);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    const metadata = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect(metadata.width).toBe(1365);
    expect(metadata.height).toBe(2048);
    expect(metadata.exif).toBeUndefined();
    expect(hasGpsInfo(metadata.exif)).toBe(false);
  });

  test('thumbnail is an image of at most 320 px', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const response = await upload(cardId, await jpeg(1200, 900), { token: owner.token });
    const { id } = (await response.json()) as { id: string };
    const photo = await waitForProcessed(owner, cardId, id);

    const served = await download(photo.thumbnailUrl!, owner.token);

    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    const metadata = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect(metadata.format).toBe('jpeg');
    expect(metadata.width).toBe(320);
    expect(metadata.height).toBe(240);
  });

  test('small photo keeps its size', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const response = await upload(cardId, await jpeg(640, 480), { token: owner.token });
    const { id } = (await response.json()) as { id: string };

    const photo = await waitForProcessed(owner, cardId, id);

    expect(photo.width).toBe(640);
    expect(photo.height).toBe(480);
  });

  test('transparent PNG becomes WebP', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const png = await solidImage(600, 400, 4).png().toBuffer();

    const response = await upload(cardId, png, { token: owner.token, contentType: 'image/png' });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const photo = await waitForProcessed(owner, cardId, id);

    expect(photo.status).toBe('READY');
    expect(photo.width).toBe(600);
    expect(photo.height).toBe(400);
    const served = await download(photo.url, owner.token);
    expect(served.headers.get('content-type')).toBe('image/webp');
    const metadata = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect(metadata.hasAlpha).toBe(true);
  });

  test('WebP upload is accepted', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const webp = await solidImage(400, 400).webp().toBuffer();

    const response = await upload(cardId, webp, { token: owner.token, contentType: 'image/webp' });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };

    expect((await waitForProcessed(owner, cardId, id)).status).toBe('READY');
  });

  test('processing keeps only the resized photo and thumbnail', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const response = await upload(cardId, await phoneJpeg(800, 600), { token: owner.token });
    const { id } = (await response.json()) as { id: string };
    await waitForProcessed(owner, cardId, id);

    // The original goes right after the photo is marked READY, so allow it a moment.
    const deadline = Date.now() + 5000;
    while ((await fileIdsOf(id)).length > 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(await fileIdsOf(id)).toEqual([`${id}.resized`, `${id}.thumbnail`]);
  });

  test('ETag match is 304', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const response = await upload(cardId, await jpeg(300, 300), { token: owner.token });
    const { id } = (await response.json()) as { id: string };
    const photo = await waitForProcessed(owner, cardId, id);
    const first = await download(photo.url, owner.token);
    await first.arrayBuffer();

    const second = await fetch(`${origin}${photo.url}`, {
      headers: {
        authorization: `Bearer ${owner.token}`,
        'if-none-match': first.headers.get('etag')!,
      },
    });

    expect(second.status).toBe(304);
  });
});

describe('photo access', () => {
  let owner: Owner;
  let photoUrl: string;

  beforeAll(async () => {
    owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const response = await upload(cardId, await jpeg(300, 300), { token: owner.token });
    const { id } = (await response.json()) as { id: string };
    photoUrl = (await waitForProcessed(owner, cardId, id)).url;
  });

  test("another user's photo is 404", async () => {
    const stranger = await newOwner();

    const response = await download(photoUrl, stranger.token);

    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe('NOT_FOUND');
  });

  test("another user's thumbnail is 404", async () => {
    const stranger = await newOwner();

    const response = await download(`${photoUrl}/thumbnail`, stranger.token);

    expect(response.status).toBe(404);
  });

  test('anonymous download is 401', async () => {
    const response = await download(photoUrl);

    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('UNAUTHENTICATED');
  });

  test("another user's card shows no photos", async () => {
    const stranger = await newOwner();
    const cardId = (await graph.db.collection('photos').findOne({ ownerId: owner.userId }))!
      .cardId as string;

    const result = await graphql<{ card: unknown }>(
      graph.gatewayUrl,
      `
        query ($id: ID!) {
          card(id: $id) {
            photos {
              id
            }
          }
        }
      `,
      { token: stranger.token, variables: { id: cardId } },
    );

    expect(result.data?.card).toBeNull();
  });
});

describe('Card.photos', () => {
  test('photos of several cards load with one query', async () => {
    const owner = await newOwner();
    const cardIds = [await insertCard(owner.userId), await insertCard(owner.userId)];
    for (const cardId of cardIds) {
      const response = await upload(cardId, await jpeg(300, 300), { token: owner.token });
      expect(response.status).toBe(202);
    }
    const cardsUrl = graph.subgraphUrls.cards;
    const before = await storeCommandCount(cardsUrl, { collection: 'photos', command: 'find' });

    const response = await fetch(cardsUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-heartfelt-gateway-token': await gatewayTokenFor('cards', owner.userId),
      },
      body: JSON.stringify({
        query: `query ($representations: [_Any!]!) {
          _entities(representations: $representations) { ... on Card { id photos { id } } }
        }`,
        variables: { representations: cardIds.map((id) => ({ __typename: 'Card', id })) },
      }),
    });
    const body = (await response.json()) as {
      data: { _entities: Array<{ photos: Array<{ id: string }> }> };
    };

    expect(body.data._entities.map((card) => card.photos.length)).toEqual([1, 1]);
    const after = await storeCommandCount(cardsUrl, { collection: 'photos', command: 'find' });
    expect(after - before).toBe(1);
  });
});

describe('deletePhoto', () => {
  test('deletePhoto removes the document and files', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const response = await upload(cardId, await jpeg(300, 300), { token: owner.token });
    const { id } = (await response.json()) as { id: string };
    await waitForProcessed(owner, cardId, id);

    const result = await graphql<{ deletePhoto: { id: string; photos: Array<{ id: string }> } }>(
      graph.gatewayUrl,
      `
        mutation ($id: ID!) {
          deletePhoto(id: $id) {
            id
            photos {
              id
            }
          }
        }
      `,
      { token: owner.token, variables: { id } },
    );

    expect(result.errors).toBeUndefined();
    expect(result.data!.deletePhoto.id).toBe(cardId);
    expect(result.data!.deletePhoto.photos).toEqual([]);
    expect(await graph.db.collection('photos').countDocuments({ _id: id as never })).toBe(0);
    expect(await fileIdsOf(id)).toEqual([]);
    expect((await download(`/photos/${id}`, owner.token)).status).toBe(404);
  });

  test("deletePhoto of another user's photo is NOT_FOUND", async () => {
    const owner = await newOwner();
    const stranger = await newOwner();
    const cardId = await insertCard(owner.userId);
    const response = await upload(cardId, await jpeg(300, 300), { token: owner.token });
    const { id } = (await response.json()) as { id: string };

    const result = await graphql(
      graph.gatewayUrl,
      `
        mutation ($id: ID!) {
          deletePhoto(id: $id) {
            id
          }
        }
      `,
      { token: stranger.token, variables: { id } },
    );

    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await graph.db.collection('photos').countDocuments({ _id: id as never })).toBe(1);
  });
});

describe('media job retries', () => {
  test('retry replaces files left by a crashed attempt', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    await graph.processes['cards-worker']!.stop();
    let restarted = false;
    try {
      const response = await upload(cardId, await jpeg(900, 600), { token: owner.token });
      const { id } = (await response.json()) as { id: string };
      // What an attempt killed mid-way leaves: a complete but wrong thumbnail, and a chunk of
      // a resized photo whose files document was never written.
      const bucket = new GridFSBucket(graph.db, { bucketName: 'photos' });
      const stale = bucket.openUploadStreamWithId(`${id}.thumbnail` as unknown as ObjectId, 'x', {
        metadata: { photoId: id, kind: 'thumbnail' },
      });
      await new Promise<void>((resolve, reject) => {
        stale.once('finish', () => resolve()).once('error', reject);
        stale.end(Buffer.from('not an image'));
      });
      await graph.db
        .collection('photos.chunks')
        .insertOne({ files_id: `${id}.resized`, n: 0, data: randomBytes(100) });

      await graph.startWorker('cards');
      restarted = true;
      const photo = await waitForProcessed(owner, cardId, id);

      expect(photo.status).toBe('READY');
      expect(await fileIdsOf(id)).toEqual([`${id}.resized`, `${id}.thumbnail`]);
      const resized = await download(photo.url, owner.token);
      expect((await sharp(Buffer.from(await resized.arrayBuffer())).metadata()).width).toBe(900);
      const thumbnail = await download(photo.thumbnailUrl!, owner.token);
      expect((await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata()).width).toBe(320);
    } finally {
      if (!restarted) await graph.startWorker('cards');
    }
  }, 60_000);
});

describe('photo limit', () => {
  test('11th photo is 409', async () => {
    const owner = await newOwner();
    const cardId = await insertCard(owner.userId);
    const image = await jpeg(250, 250);
    for (let index = 0; index < 10; index++) {
      const response = await upload(cardId, image, { token: owner.token });
      expect(response.status).toBe(202);
    }

    const response = await upload(cardId, image, { token: owner.token });

    expect(response.status).toBe(409);
    expect(await errorCode(response)).toBe('LIMIT_EXCEEDED');
    expect(await graph.db.collection('photos').countDocuments({ cardId })).toBe(10);
  }, 60_000);
});
