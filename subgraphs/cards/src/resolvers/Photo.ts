import type { Context } from '../context';
import type { Photo } from '../generated/resolvers';
import type { CardDocument } from '../repository/documents';
import type { PhotoDocument } from '../repository/photos';

/** Builds the GraphQL view of a stored photo. Paths are relative to the gateway's origin. */
export function toPhoto(photo: PhotoDocument): Photo {
  const ready = photo.status === 'READY';
  return {
    id: photo._id,
    url: `/photos/${photo._id}`,
    thumbnailUrl: ready ? `/photos/${photo._id}/thumbnail` : null,
    status: photo.status,
    width: ready ? photo.width : null,
    height: ready ? photo.height : null,
  };
}

/**
 * Resolves `Card.photos` through the request's loader, so that the photos of every card in a
 * response are read with one query. Only the card's owner sees them.
 */
export async function loadCardPhotos(context: Context, card: CardDocument): Promise<Photo[]> {
  if (context.identity.userId !== card.ownerId) return [];
  const photos = await context.loaders.photosByCard.load(card._id);
  return photos.map(toPhoto);
}
