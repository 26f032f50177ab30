import { isId } from '@heartfelt/kit';
import type { TemplateResolvers } from '../generated/resolvers';

export const Template: TemplateResolvers = {
  id: (template) => template._id,

  async __resolveReference(reference, { loaders }) {
    if (!isId('template', reference.id)) return null;
    return loaders.templateById.load(reference.id);
  },
};
