import type { Collection, Db } from 'mongodb';
import type {
  RefreshFamilyDocument,
  RefreshRotationDocument,
  RefreshTokenDocument,
} from './documents';

/**
 * The only code that reads or writes `refresh_tokens`, `refresh_rotations` and
 * `refresh_families`. Each is sharded on `_id` (hashed), and every query filters on it.
 *
 * NOTE: expired tokens, rotations and families are never deleted. They are small and
 * rejected by their `expiresAt`, but the collections grow with every sign-in and refresh.
 */
export class RefreshTokenRepository {
  readonly tokens: Collection<RefreshTokenDocument>;
  readonly rotations: Collection<RefreshRotationDocument>;
  readonly families: Collection<RefreshFamilyDocument>;

  constructor(db: Db) {
    this.tokens = db.collection<RefreshTokenDocument>('refresh_tokens');
    this.rotations = db.collection<RefreshRotationDocument>('refresh_rotations');
    this.families = db.collection<RefreshFamilyDocument>('refresh_families');
  }

  async insertFamily(family: RefreshFamilyDocument): Promise<void> {
    await this.families.insertOne(family);
  }

  async insertToken(token: RefreshTokenDocument): Promise<void> {
    await this.tokens.insertOne(token);
  }

  async findToken(hash: string): Promise<RefreshTokenDocument | null> {
    return this.tokens.findOne({ _id: hash });
  }

  async findFamily(familyId: string): Promise<RefreshFamilyDocument | null> {
    return this.families.findOne({ _id: familyId });
  }

  /**
   * Records that the token with `hash` was exchanged.
   *
   * @throws the store's duplicate-key error (see `isDuplicateKeyError`) when it already was.
   */
  async recordRotation(rotation: RefreshRotationDocument): Promise<void> {
    await this.rotations.insertOne(rotation);
  }

  /** Revokes a family; revoking it again keeps the first time and reason. */
  async revokeFamily(familyId: string, reason: 'logout' | 'reuse', now: Date): Promise<void> {
    await this.families.updateOne(
      { _id: familyId, revokedAt: null },
      { $set: { revokedAt: now, revokedReason: reason } },
    );
  }
}
