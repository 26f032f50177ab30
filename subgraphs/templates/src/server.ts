import './tracing';
import { join } from 'node:path';
import { createServiceKit, loadTypeDefs, startSubgraph } from '@heartfelt/kit';
import type { Context } from './context';
import { createLoaders } from './loaders';
import { TemplateRepository } from './repository/templates';
import { resolvers } from './resolvers';

async function main(): Promise<void> {
  const kit = await createServiceKit('templates', 4003, {});
  const templates = new TemplateRepository(kit.store.db);
  await templates.ensureIndexes();

  await startSubgraph<Context, Record<never, never>>(kit, {
    typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
    resolvers,
    context: (base) => ({
      ...base,
      templates,
      loaders: createLoaders(templates, kit.metrics, kit.cache),
    }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`templates: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
