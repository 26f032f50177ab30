/** A user as stored in `users`, sharded on `_id` (hashed). */
export interface UserDocument {
  _id: string;
  /** Lower-cased sign-in email. */
  email: string;
  displayName: string;
  /** Argon2id hash in PHC string format. */
  passwordHash: string;
  createdAt: Date;
}

/**
 * Claim on an email address, stored in `emails` with the lower-cased address as `_id` and
 * sharded on it. A unique index on `users.email` could not be enforced once `users` is sharded
 * on the user id, so the claim is what keeps addresses unique; it is written first.
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
  timeZone: string;
  email: string;
  createdAt: Date;
}
