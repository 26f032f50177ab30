import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { Counter, type Registry } from 'prom-client';

/**
 * Password hashing with argon2id at the defaults of @node-rs/argon2 2.2 (from its index.d.ts):
 * 19 MiB of memory, 2 passes, 1 lane. The hash is a PHC string that records these parameters,
 * so raising them later keeps old hashes verifiable.
 */
export class PasswordHasher {
  private constructor(
    private readonly dummyHash: string,
    private readonly verifications: Counter<'account'>,
  ) {}

  /**
   * Creates the hasher and its dummy hash. The dummy is hashed once at start-up, from a random
   * password that is never stored, so that it has exactly the parameters of real hashes.
   * Verifications are counted in `heartfelt_password_verifications_total`, by whether the
   * account exists, which also shows a credential-stuffing run on a dashboard.
   */
  static async create(registry: Registry): Promise<PasswordHasher> {
    const verifications = new Counter({
      name: 'heartfelt_password_verifications_total',
      help: 'Argon2 password verifications, by whether the account exists (known, unknown).',
      labelNames: ['account'],
      registers: [registry],
    });
    return new PasswordHasher(await hash(randomBytes(32).toString('base64url')), verifications);
  }

  hash(password: string): Promise<string> {
    return hash(password);
  }

  /**
   * Verifies `password` against `passwordHash`. With no hash, because the email is unknown, it
   * verifies against the dummy hash and returns false, so that an unknown email costs the same
   * argon2 work as a wrong password and response times do not reveal which emails exist.
   */
  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    if (passwordHash === null) {
      await verify(this.dummyHash, password);
      this.verifications.inc({ account: 'unknown' });
      return false;
    }
    const valid = await verify(passwordHash, password);
    this.verifications.inc({ account: 'known' });
    return valid;
  }
}
