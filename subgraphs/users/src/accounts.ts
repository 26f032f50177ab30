import { isDuplicateKeyError, newUserId } from '@heartfelt/kit';
import type { Context } from './context';
import { emailTaken, invalidCredentials, invalidRefreshToken } from './errors';
import type { LogInInput, SignUpInput } from './generated/resolvers';
import { parseSignUpInput } from './inputs';
import type { StoredUserDocument, UserDocument } from './repository/documents';

/**
 * Age after which a claim whose user was never written counts as abandoned by a sign-up that
 * crashed between its two inserts. A sign-up takes well under a second between them, so ten
 * minutes leaves a wide margin before a new sign-up may take the address over.
 */
const ABANDONED_CLAIM_AGE_MS = 10 * 60 * 1000;

/** Payload of `signUp`, `logIn` and `refreshAccessToken`: the tokens and their user. */
export interface AuthResult {
  token: string;
  tokenExpiresAt: Date;
  refreshToken: string;
  user: UserDocument;
}

function toUserDocument(stored: StoredUserDocument): UserDocument {
  const { _id, email, displayName, createdAt } = stored;
  return { _id, email, displayName, createdAt };
}

/**
 * Creates an account. The email claim is written before the user, so two sign-ups with one
 * address cannot both succeed. When the user insert fails, the claim is deleted again so that
 * nothing half-written remains.
 */
export async function signUp(input: SignUpInput, context: Context): Promise<AuthResult> {
  const { email, password, displayName } = parseSignUpInput(input);
  const passwordHash = await context.passwords.hash(password);
  const now = new Date();
  const user: StoredUserDocument = {
    _id: newUserId(),
    email,
    displayName,
    passwordHash,
    contactCount: 0,
    createdAt: now,
  };

  await claimEmail(context, email, user._id, now);
  try {
    await context.users.insert(user);
  } catch (error) {
    await context.emails.release(email, user._id).catch((releaseError: unknown) => {
      context.logger.error(
        { err: releaseError, userId: user._id },
        'failed to delete the email claim of a failed sign-up, so the address stays taken ' +
          'until a later sign-up finds the claim abandoned',
      );
    });
    throw error;
  }

  context.logger.info({ userId: user._id }, 'user signed up');
  context.signedInUserIds.add(user._id);
  return startSession(context, user);
}

/** Claims `email` for `userId`, taking over an abandoned claim once. */
async function claimEmail(context: Context, email: string, userId: string, now: Date) {
  try {
    await context.emails.claim(email, userId, now);
    return;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }

  if (!(await releaseAbandonedClaim(context, email, now))) throw emailTaken(email);
  try {
    await context.emails.claim(email, userId, now);
  } catch (error) {
    // Another sign-up claimed the address between the release and this insert.
    if (isDuplicateKeyError(error)) throw emailTaken(email);
    throw error;
  }
}

/**
 * Deletes the claim on `email` when it is abandoned: older than ABANDONED_CLAIM_AGE_MS and its
 * user does not exist. Returns true when the address is free to claim again.
 */
async function releaseAbandonedClaim(context: Context, email: string, now: Date) {
  const claim = await context.emails.findByEmail(email);
  if (claim === null) return true;
  if (now.getTime() - claim.createdAt.getTime() < ABANDONED_CLAIM_AGE_MS) return false;
  if (await context.users.exists(claim.userId)) return false;

  await context.emails.release(email, claim.userId);
  context.logger.warn({ abandonedUserId: claim.userId }, 'deleted an abandoned email claim');
  return true;
}

/**
 * Exchanges an email and password for an access token. An unknown email and a wrong password
 * both cost one argon2 verification and raise the same INVALID_CREDENTIALS error.
 *
 * NOTE: a known email also costs one more store read (the user) than an unknown one. That is
 * small next to one argon2 verification (about 35 ms on a 2-core machine) but measurable.
 */
export async function logIn(input: LogInInput, context: Context): Promise<AuthResult> {
  // No format check: a malformed address has no claim, so it fails like any unknown email.
  const email = input.email.trim().toLowerCase();
  const claim = await context.emails.findByEmail(email);
  const user = claim ? await context.users.findWithPasswordHash(claim.userId) : null;

  const valid = await context.passwords.verify(user?.passwordHash ?? null, input.password);
  if (user === null || !valid) throw invalidCredentials();

  context.signedInUserIds.add(user._id);
  return startSession(context, user);
}

/** Issues an access token and the first refresh token of a new sign-in. */
async function startSession(context: Context, user: StoredUserDocument): Promise<AuthResult> {
  const access = await context.issueAccessToken(user._id, user.scopes ?? []);
  const refreshToken = await context.refreshTokens.issue(user._id);
  return { ...access, refreshToken, user: toUserDocument(user) };
}

/**
 * Exchanges a refresh token for a new access token and the next refresh token. The access token
 * carries the user's scopes as stored now, so a scope granted or withdrawn since the last
 * sign-in applies from the next refresh.
 */
export async function refreshAccessToken(
  refreshToken: string,
  context: Context,
): Promise<AuthResult> {
  const rotated = await context.refreshTokens.rotate(refreshToken);
  const user = await context.users.findWithPasswordHash(rotated.userId);
  if (user === null) throw invalidRefreshToken();
  context.signedInUserIds.add(user._id);
  const access = await context.issueAccessToken(user._id, user.scopes ?? []);
  return { ...access, refreshToken: rotated.token, user: toUserDocument(user) };
}
