import { MongoClient } from 'mongodb';

/**
 * Sets the scopes of one user, for example an admin who manages partner keys:
 *
 *   npm run grant-scopes -- admin@example.com admin:partner-keys
 *
 * With no scopes after the email it removes them all. The user's next access token (from logIn
 * or refreshAccessToken) carries the new scopes. Reads MONGO_URL and MONGO_DB.
 */
async function main(): Promise<void> {
  const [email, ...scopes] = process.argv.slice(2);
  if (!email) {
    console.error('usage: npm run grant-scopes -- <email> [scope ...]');
    process.exit(64);
  }
  const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27018/';
  const client = new MongoClient(url);
  try {
    const db = client.db(process.env.MONGO_DB ?? 'heartfelt');
    const claim = await db
      .collection<{ _id: string; userId: string }>('emails')
      .findOne({ _id: email.trim().toLowerCase() });
    if (claim === null) {
      console.error(`No user has the email ${JSON.stringify(email)}.`);
      process.exit(1);
    }
    await db
      .collection<{ _id: string }>('users')
      .updateOne({ _id: claim.userId }, { $set: { scopes } });
    console.log(`${claim.userId}: scopes set to [${scopes.join(', ')}]`);
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
