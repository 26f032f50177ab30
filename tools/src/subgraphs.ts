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

/** Worker processes: each consumes the queues of one subgraph, with health on its own port. */
export const workers = [
  { name: 'users-worker', subgraph: 'users', defaultPort: 4101 },
  { name: 'cards-worker', subgraph: 'cards', defaultPort: 4102 },
  { name: 'ai-worker', subgraph: 'ai', defaultPort: 4104 },
  { name: 'payments-worker', subgraph: 'payments', defaultPort: 4105 },
] as const;

export function workerScriptOf(subgraph: SubgraphName): string {
  return join(repoRoot, 'subgraphs', subgraph, 'dist', 'worker.js');
}
