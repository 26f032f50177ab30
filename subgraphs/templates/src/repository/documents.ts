import type { Occasion } from '../generated/resolvers';

/** A template as stored in `templates`: small, read-mostly and never sharded. */
export interface TemplateDocument {
  _id: string;
  title: string;
  occasion: Occasion;
  tags: string[];
  artworkUrl: string;
  priceCents: number;
  popularity: number;
  createdAt: Date;
}
