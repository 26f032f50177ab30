import { notFound } from '@heartfelt/kit';
import { requireUserId } from '../context';
import type { MutationResolvers } from '../generated/resolvers';
import { isPhotoId, photoOwnerOf } from '../photos/ids';

/** The photo mutations, merged into `Mutation` in resolvers/index.ts. */
export const photoMutations: Pick<MutationResolvers, 'deletePhoto'> = {
  async deletePhoto(_parent, { id }, context) {
    const userId = requireUserId(context);
    // Malformed ids and other users' photos get the same NOT_FOUND as missing ones.
    if (!isPhotoId(id) || photoOwnerOf(id) !== userId) throw notFound('Photo', id);

    // The document goes first, so that the photo disappears from Card.photos even if deleting
    // a file fails. A media job still running for it deletes the files it writes.
    const photo = await context.photos.delete(id, userId);
    if (!photo) throw notFound('Photo', id);
    try {
      await context.photoFiles.removeAllOf(id);
    } catch (error) {
      // TODO: nothing retries this, so the files stay in GridFS without a document.
      context.logger.error(
        { photoId: id, err: error instanceof Error ? error.message : String(error) },
        'could not delete the files of a deleted photo',
      );
    }

    context.loaders.photosByCard.clear(photo.cardId);
    const card = await context.loaders.cardById.load(photo.cardId);
    if (!card) throw notFound('Card', photo.cardId);
    return card;
  },
};
