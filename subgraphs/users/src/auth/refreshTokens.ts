import { createHash, randomBytes } from 'node:crypto';
import { isDuplicateKeyError, randomToken, type Logger } from '@heartfelt/kit';
import { invalidRefreshToken } from '../errors';
import type { RefreshTokenRepository } from '../repository/refreshTokens';

/** A refresh token as handed to the client, and the user it belongs to. */
export interface IssuedRefreshToken {
  token: string;
  userId: string;
}

/** Returns the SHA-256 of a refresh token in hex: the only form in which it is stored. */
function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Refresh tokens are `rt_` and 43 base64url characters: 256 random bits. */
const TOKEN_PATTERN = /^rt_[A-Za-z0-9_-]{43}$/;

/**
 * Opaque refresh tokens, rotated on every use. Each sign-in starts a family. Exchanging a token
 * returns the next token of its family, and exchanging a token a second time revokes the whole
 * family, because then two parties hold it and one of them is not the user.
 */
export class RefreshTokenService {
  constructor(
    private readonly repository: RefreshTokenRepository,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
  ) {}

  /** Starts a family for a new sign-in and returns its first token. */
  async issue(userId: string, now = new Date()): Promise<string> {
    const familyId = `rtf_${randomToken(24)}`;
    await this.repository.insertFamily({ _id: familyId, userId, createdAt: now, revokedAt: null });
    return this.insertToken(familyId, userId, now);
  }

  /**
   * Exchanges a refresh token for the next one of its family. An unknown, expired or revoked
   * token, and a token exchanged before, all raise the same UNAUTHENTICATED error.
   */
  async rotate(token: string, now = new Date()): Promise<IssuedRefreshToken> {
    const stored = TOKEN_PATTERN.test(token)
      ? await this.repository.findToken(hashOf(token))
      : null;
    if (stored === null || stored.expiresAt.getTime() <= now.getTime()) {
      throw invalidRefreshToken();
    }
    const family = await this.repository.findFamily(stored.familyId);
    if (family === null || family.revokedAt !== null) throw invalidRefreshToken();

    try {
      await this.repository.recordRotation({
        _id: stored._id,
        familyId: stored.familyId,
        rotatedAt: now,
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      await this.repository.revokeFamily(stored.familyId, 'reuse', now);
      this.logger.warn(
        { userId: stored.userId, familyId: stored.familyId },
        'a rotated refresh token was used again, so its family is revoked',
      );
      throw invalidRefreshToken();
    }
    return {
      token: await this.insertToken(stored.familyId, stored.userId, now),
      userId: stored.userId,
    };
  }

  /**
   * Revokes the family of a refresh token, so neither it nor any token rotated from it can be
   * exchanged again. Returns false when the token is unknown.
   */
  async revoke(token: string, now = new Date()): Promise<boolean> {
    if (!TOKEN_PATTERN.test(token)) return false;
    const stored = await this.repository.findToken(hashOf(token));
    if (stored === null) return false;
    await this.repository.revokeFamily(stored.familyId, 'logout', now);
    return true;
  }

  private async insertToken(familyId: string, userId: string, now: Date): Promise<string> {
    const token = `rt_${randomBytes(32).toString('base64url')}`;
    await this.repository.insertToken({
      _id: hashOf(token),
      familyId,
      userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
    });
    return token;
  }
}
