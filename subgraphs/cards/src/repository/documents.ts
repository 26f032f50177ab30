import type { CardStatus } from '../generated/resolvers';

/** A card as stored in `cards`, sharded on `ownerId` (hashed). */
export interface CardDocument {
  _id: string;
  ownerId: string;
  templateId: string;
  contactId: string;
  message: string;
  status: CardStatus;
  sendAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** References to entities other subgraphs own; the gateway resolves the rest. */
export interface UserReference {
  id: string;
}
export interface TemplateReference {
  id: string;
}
export interface ContactReference {
  id: string;
}
