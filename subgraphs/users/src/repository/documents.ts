/**
 * A user as resolvers and the entity cache see it: the stored user without the password hash
 * and the contact counter. Reads for the graph project those two fields away, so the hash never
 * reaches the cache Redis.
 */
export interface UserDocument {
  _id: string;
  /** Lower-cased sign-in email. */
  email: string;
  displayName: string;
  createdAt: Date;
}

/** A user as stored in `users`, sharded on `_id` (hashed). */
export interface StoredUserDocument extends UserDocument {
  /** Argon2id hash in PHC string format. */
  passwordHash: string;
  /**
   * Number of contacts the user has, counted up before each contact insert so that the per-user
   * maximum is kept even when two `addContact` calls run at once.
   */
  contactCount: number;
}

/**
 * Claim on an email address, stored in `emails` with the lower-cased address as `_id` and
 * sharded on it. A unique index on `users.email` could not be enforced once `users` is sharded
 * on the user id, so the claim keeps addresses unique. It is written first.
 */
export interface EmailDocument {
  _id: string;
  userId: string;
  createdAt: Date;
}

/** A contact as stored in `contacts`, sharded on `userId` (hashed). */
export interface ContactDocument {
  _id: string;
  userId: string;
  name: string;
  relationship: string;
  /** YYYY-MM-DD, or null when unknown. */
  birthday: string | null;
  /**
   * MM-DD of the birthday, or null when unknown: the daily birthday scan looks contacts up by
   * it. Contacts written before the field existed lack it until users-worker backfills it at
   * start.
   */
  birthdayMonthDay?: string | null;
  timeZone: string;
  email: string;
  createdAt: Date;
}
