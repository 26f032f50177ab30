import type { GenerationStatus, Occasion, Tone } from '../generated/resolvers';

/** The validated input of a generation. */
export interface GenerationInput {
  occasion: Occasion;
  recipientName: string;
  relationship: string;
  tone: Tone;
  details: string | null;
  seed: number;
}

/** A message generation as stored in `generations`, sharded on `ownerId` (hashed). */
export interface GenerationDocument {
  _id: string;
  ownerId: string;
  input: GenerationInput;
  status: GenerationStatus;
  suggestions: string[];
  /** Name of the provider that wrote the suggestions, for example `local`. */
  provider: string;
  /**
   * Calls to the provider so far, counted when each starts. Absent on generations stored before
   * generation ran as a job, which read as 0.
   */
  attempts?: number;
  createdAt: Date;
  completedAt: Date | null;
}

/** A Card representation from the gateway, with the `message` that `@requires` requests. */
export interface CardRepresentation {
  id: string;
  message?: string;
}

/** A User representation from the gateway: ai stores nothing about users but their id. */
export interface UserReference {
  id: string;
}

/** A Contact reference that the gateway resolves in the users subgraph. */
export interface ContactReference {
  id: string;
}

/**
 * A birthday reminder as stored in `reminders`, sharded on `ownerId` (hashed). The `_id` is
 * derived from (owner, contact, date), so drafting the same reminder twice hits the unique `_id`.
 */
export interface ReminderDocument {
  _id: string;
  ownerId: string;
  contactId: string;
  /** The contact's name when the reminder was drafted, as the draft addresses them. */
  contactName: string;
  /** The birthday, YYYY-MM-DD. */
  date: string;
  draft: string;
  createdAt: Date;
}
