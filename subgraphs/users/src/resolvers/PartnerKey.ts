import type { RateTier as StoredRateTier } from '@heartfelt/kit';
import type { PartnerKeyResolvers, RateTier } from '../generated/resolvers';

/** Converts the schema's enum value to the stored, lower-case rate tier. */
export function toRateTier(value: RateTier): StoredRateTier {
  return value === 'HIGH' ? 'high' : 'standard';
}

export const PartnerKey: PartnerKeyResolvers = {
  id: (key) => key._id,
  rateTier: (key) => (key.rateTier === 'high' ? 'HIGH' : 'STANDARD'),
};
