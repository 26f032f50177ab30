import { hash } from '@node-rs/argon2';
import { MongoClient, type Db } from 'mongodb';
import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  defaultSeedSizes,
  generateSeed,
  type SeedSizes,
} from './seedData';

/** Collections the demo data fills, each owned by one subgraph. */
const collections = [
  'templates',
  'users',
  'emails',
  'contacts',
  'cards',
  'orders',
  'sandbox_charges',
] as const;

/** Returns true when the store contains no users yet. */
export async function isEmpty(db: Db): Promise<boolean> {
  return (await db.collection('users').countDocuments({}, { limit: 1 })) === 0;
}

/**
 * Writes the demo data set into an empty store, in batches of 1,000. Every seeded user has the demo password. One Argon2 hash is computed and shared, because hashing a thousand passwords
 * would take minutes and the accounts are not real.
 */
export async function seed(
  db: Db,
  sizes: SeedSizes = defaultSeedSizes,
): Promise<Record<string, number>> {
  const passwordHash = await hash(DEMO_PASSWORD);
  const data = generateSeed(passwordHash, sizes);
  const counts: Record<string, number> = {};
  for (const name of collections) {
    const documents = data[name] as unknown as Array<Record<string, unknown>>;
    for (let start = 0; start < documents.length; start += 1000) {
      await db
        .collection(name)
        .insertMany(documents.slice(start, start + 1000), { ordered: false });
    }
    counts[name] = documents.length;
  }
  return counts;
}

// Run directly: seed the store named by MONGO_URL and MONGO_DB when it is empty.
if (require.main === module) {
  const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27018/';
  const dbName = process.env.MONGO_DB ?? 'heartfelt';
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  client
    .connect()
    .then(async () => {
      const db = client.db(dbName);
      if (!(await isEmpty(db))) {
        console.log(`${dbName} already has users; not seeding.`);
        return;
      }
      const counts = await seed(db);
      console.log(`seeded ${dbName}: ${JSON.stringify(counts)}`);
      console.log(`demo login: ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
    })
    .catch((error: unknown) => {
      console.error(`seed failed: ${(error as Error).message}`);
      process.exitCode = 1;
    })
    .finally(() => client.close());
}
