import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { schemaPathOf, subgraphs } from './subgraphs';

/**
 * Composes the supergraph SDL from the subgraph SDL files. The routing URLs written into it are
 * the local defaults; the gateway replaces them with its `<NAME>_URL` settings at start.
 */
export function composeSupergraph(): string {
  const result = composeServices(
    subgraphs.map(({ name, defaultPort }) => ({
      name,
      url: `http://127.0.0.1:${defaultPort}/graphql`,
      typeDefs: parse(readFileSync(schemaPathOf(name), 'utf8')),
    })),
  );
  if (result.errors) {
    const details = result.errors.map((error) => `  - ${error.message}`).join('\n');
    throw new Error(`Supergraph composition failed:\n${details}`);
  }
  return result.supergraphSdl;
}
