import type { ReminderResolvers } from '../generated/resolvers';

export const Reminder: ReminderResolvers = {
  id: (reminder) => reminder._id,

  // The gateway fetches the contact's fields from the users subgraph, which checks the owner.
  contact: (reminder) => ({ id: reminder.contactId }),
};
