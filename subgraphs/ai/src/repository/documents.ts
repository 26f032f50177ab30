import type { GenerationStatus, Occasion, Tone } from '../generated/resolvers';

/** What a generation was asked for, as validated. */
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
  /** Which provider wrote the suggestions, for example `local`. */
  provider: string;
  createdAt: Date;
  completedAt: Date | null;
}

/** A Card representation from the gateway, with the `message` that `@requires` asks for. */
export interface CardRepresentation {
  id: string;
  message?: string;
}
