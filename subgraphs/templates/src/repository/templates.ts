import type { Collection, Db, Filter } from 'mongodb';
import { ensureIndexes, type CursorPosition, matchAny } from '@heartfelt/kit';
import type { Occasion } from '../generated/resolvers';
import type { TemplateDocument } from './documents';

/**
 * The only code that reads or writes `templates`. The collection is small and read-mostly: it
 * is not sharded, and reads prefer secondaries so that a replica set spreads catalogue traffic.
 */
export class TemplateRepository {
  readonly collection: Collection<TemplateDocument>;

  constructor(db: Db) {
    this.collection = db.collection<TemplateDocument>('templates', {
      readPreference: 'secondaryPreferred',
    });
  }

  /** Creates the indexes the catalogue queries use; safe to run at every start. */
  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { occasion: 1, popularity: -1, _id: 1 }, name: 'occasion_popularity' },
      { key: { popularity: -1, _id: 1 }, name: 'popularity' },
    ]);
  }

  /** Loads templates by id with one `$in` query. */
  async findByIds(ids: readonly string[]): Promise<TemplateDocument[]> {
    return this.collection.find({ _id: matchAny([...ids]) }).toArray();
  }

  /**
   * Returns one page of the catalogue, most popular first, ties broken by id. Fetches
   * `limit` rows; callers ask for one more than the page size to learn whether a next page exists.
   */
  async findPage(options: {
    occasion: Occasion | null;
    after: CursorPosition | null;
    limit: number;
  }): Promise<TemplateDocument[]> {
    const filter: Filter<TemplateDocument> = {};
    if (options.occasion) filter.occasion = options.occasion;
    if (options.after) {
      const { value, id } = options.after;
      filter.$or = [{ popularity: { $lt: value } }, { popularity: value, _id: { $gt: id } }];
    }
    return this.collection
      .find(filter)
      .sort({ popularity: -1, _id: 1 })
      .limit(options.limit)
      .toArray();
  }
}
