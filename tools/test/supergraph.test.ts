import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse, validate } from 'graphql';
import { composeSupergraph } from '../src/composeSupergraph';
import { repoRoot, schemaPathOf, subgraphs, supergraphPath } from '../src/subgraphs';

describe('supergraph', () => {
  it('matches a fresh composition of the subgraph SDLs', () => {
    const committed = readFileSync(supergraphPath, 'utf8');
    // On failure: run `npm run compose` and commit schema/supergraph.graphql.
    expect(committed).toBe(composeSupergraph());
  });

  it('accepts every operation in schema/operations', () => {
    const result = composeServices(
      subgraphs.map(({ name }) => ({
        name,
        url: 'http://127.0.0.1/graphql',
        typeDefs: parse(readFileSync(schemaPathOf(name), 'utf8')),
      })),
    );
    const apiSchema = result.schema!.toAPISchema().toGraphQLJSSchema();
    const folder = join(repoRoot, 'schema', 'operations');
    const files = readdirSync(folder).filter((file) => file.endsWith('.graphql'));
    expect(files).toEqual(expect.arrayContaining(['Dashboard.graphql', 'Checkout.graphql']));

    for (const file of files) {
      const errors = validate(apiSchema, parse(readFileSync(join(folder, file), 'utf8')));
      expect({ file, errors: errors.map((error) => error.message) }).toEqual({ file, errors: [] });
    }
  });
});
