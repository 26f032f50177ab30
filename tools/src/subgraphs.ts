import { join, resolve } from 'node:path';

/** The repository root: tools/dist/.. or tools/src/.. */
export const repoRoot = resolve(__dirname, '..', '..');

/** The five subgraphs, in composition order, with their default local ports. */
export const subgraphs = [
  { name: 'users', defaultPort: 4001 },
  { name: 'cards', defaultPort: 4002 },
  { name: 'templates', defaultPort: 4003 },
  { name: 'ai', defaultPort: 4004 },
  { name: 'payments', defaultPort: 4005 },
] as const;

export type SubgraphName = (typeof subgraphs)[number]['name'];

export const supergraphPath = join(repoRoot, 'schema', 'supergraph.graphql');

export function schemaPathOf(name: SubgraphName): string {
  return join(repoRoot, 'subgraphs', name, 'src', 'schema.graphql');
}

export function serverScriptOf(name: SubgraphName): string {
  return join(repoRoot, 'subgraphs', name, 'dist', 'server.js');
}
