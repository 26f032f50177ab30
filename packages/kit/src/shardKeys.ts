/**
 * Shard key of every sharded collection, by collection name. Each key is one field, sharded
 * with a hashed index, so writes of many users spread evenly over the shards. Every query on
 * one of these collections must name its shard key, or the router sends it to every shard.
 *
 * Per-user collections are sharded on the owner's user id, which owned ids embed (see ids.ts),
 * so a lookup by id alone still names its shard.
 */
export const shardKeys = {
  users: '_id',
  /** One claim document per lower-cased email address; its `_id` is the address. */
  emails: '_id',
  contacts: 'userId',
  cards: 'ownerId',
  deliveries: 'ownerId',
  photos: 'ownerId',
  orders: 'ownerId',
  payment_events: 'ownerId',
  generations: 'ownerId',
  reminders: 'ownerId',
  /** Refresh tokens, their exchanges and their families, each by `_id` (a hash or a random id). */
  refresh_tokens: '_id',
  refresh_rotations: '_id',
  refresh_families: '_id',
} as const satisfies Record<string, string>;

export type ShardedCollection = keyof typeof shardKeys;

/**
 * Collections left unsharded on purpose, on the database's primary shard. `templates` is small
 * and read-mostly, and is read with `secondaryPreferred`. The sandbox payment provider's ledgers
 * stand in for a real provider's records, which live outside this database. `partner_keys` contains
 * a few rows that admins write.
 */
export const unshardedCollections = [
  'templates',
  'sandbox_charges',
  'sandbox_refunds',
  'partner_keys',
] as const;
