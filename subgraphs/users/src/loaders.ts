import {
  createEntityLoader,
  createListLoader,
  type EntityCache,
  type ServiceMetrics,
} from '@heartfelt/kit';
import type DataLoader from 'dataloader';
import type { ContactRepository } from './repository/contacts';
import type { ContactDocument, UserDocument } from './repository/documents';
import type { UserRepository } from './repository/users';

/** Entity names of the cache keys, `hf:v1:<entity>:<id>`. */
export const USER_ENTITY = 'user';
export const CONTACT_ENTITY = 'contact';

export interface Loaders {
  userById: DataLoader<string, UserDocument | null>;
  contactById: DataLoader<string, ContactDocument | null>;
  /** A user's contacts, newest first. Not cached, because every `addContact` changes the list. */
  contactsByUserId: DataLoader<string, ContactDocument[]>;
}

/** Builds the DataLoaders of one request. */
export function createLoaders(
  repositories: { users: UserRepository; contacts: ContactRepository },
  metrics: ServiceMetrics,
  cache: EntityCache,
): Loaders {
  const { users, contacts } = repositories;
  return {
    userById: createEntityLoader({
      entity: USER_ENTITY,
      load: (ids) => users.findByIds(ids),
      idOf: (user) => user._id,
      metrics,
      cache,
    }),
    contactById: createEntityLoader({
      entity: CONTACT_ENTITY,
      load: (ids) => contacts.findByIds(ids),
      idOf: (contact) => contact._id,
      metrics,
      cache,
    }),
    contactsByUserId: createListLoader({
      name: 'contactsByUserId',
      load: (userIds) => contacts.findByUserIds(userIds),
      parentOf: (contact) => contact.userId,
      metrics,
    }),
  };
}
