import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { composeSupergraph } from './composeSupergraph';
import { repoRoot, supergraphPath } from './subgraphs';

// Writes schema/supergraph.graphql; the gateway reloads it when it changes.
try {
  writeFileSync(supergraphPath, composeSupergraph());
  console.log(`wrote ${relative(repoRoot, supergraphPath)}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
