// Starts a seeded stack and logs its load users in, each with its own token.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { logInUsers } from './driver.mjs';
import { root, startStack } from './stack.mjs';

const require = createRequire(import.meta.url);
const { DEMO_PASSWORD } = require(join(root, 'tools', 'dist', 'seedData.js'));

/**
 * Starts the stack with `userCount` load users (plus the seed's demo user, who is left out
 * because it owns far more cards than the others) and logs each one in.
 */
export async function prepareRun({ userCount, log }) {
  const stack = await startStack({
    seedSizes: {
      users: userCount + 1,
      templatesPerOccasion: 10,
      cards: userCount * 6,
      demoCards: 10,
    },
    log,
  });
  try {
    const users = await loadUsers(stack.db, userCount);
    const started = Date.now();
    await logInUsers(stack.gatewayUrl, users, DEMO_PASSWORD);
    log(`logged in ${users.length} users in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { stack, users };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** Reads the seeded users with their contacts, draft cards and the template ids. */
async function loadUsers(db, userCount) {
  const users = await db
    .collection('users')
    .find({ email: { $ne: 'demo@heartfelt.test' } })
    .sort({ _id: 1 })
    .limit(userCount)
    .toArray();
  const contacts = await db
    .collection('contacts')
    .find({}, { projection: { userId: 1 } })
    .toArray();
  const drafts = await db
    .collection('cards')
    .find({ status: 'DRAFT' }, { projection: { ownerId: 1 } })
    .toArray();
  const templates = await db
    .collection('templates')
    .find({}, { projection: { _id: 1 } })
    .toArray();
  const templateIds = templates.map((template) => template._id);
  const group = (documents, key) => {
    const map = new Map();
    for (const document of documents) {
      const list = map.get(document[key]) ?? [];
      list.push(document._id);
      map.set(document[key], list);
    }
    return map;
  };
  const contactsByUser = group(contacts, 'userId');
  const draftsByUser = group(drafts, 'ownerId');
  return users.map((user) => ({
    id: user._id,
    email: user.email,
    token: undefined,
    contactIds: contactsByUser.get(user._id) ?? [],
    draftIds: draftsByUser.get(user._id) ?? [],
    templateIds,
  }));
}
