import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { composeSupergraph } from './composeSupergraph';
import { repoRoot, supergraphPath } from './subgraphs';

/**
 * The Kubernetes base keeps its own copy of the supergraph, because kustomize reads no file
 * outside its folder. The ConfigMap that the gateway reloads is generated from that copy.
 */
const kubernetesCopyPath = join(
  repoRoot,
  'deploy',
  'kubernetes',
  'base',
  'supergraph',
  'supergraph.graphql',
);

// Writes schema/supergraph.graphql and its Kubernetes copy; the gateway reloads it when it changes.
try {
  const supergraph = composeSupergraph();
  for (const path of [supergraphPath, kubernetesCopyPath]) {
    writeFileSync(path, supergraph);
    console.log(`wrote ${relative(repoRoot, path)}`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
