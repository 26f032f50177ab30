import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  findRepoRoot,
  graphql,
  startGraph,
  storeCommandCount,
  type GraphQLResult,
  type TestGraph,
} from '@heartfelt/testkit';

const operationsDir = join(findRepoRoot(), 'schema', 'operations');
let graph: TestGraph;
let token: string;

beforeAll(async () => {
  graph = await startGraph();
  const signUp = await graphql<{ signUp: { token: string } }>(
    graph.gatewayUrl,
    'mutation ($input: SignUpInput!) { signUp(input: $input) { token } }',
    {
      variables: {
        input: { email: 'limits@example.com', password: 'correct horse battery', displayName: 'L' },
      },
    },
  );
  token = signUp.data!.signUp.token;
});

afterAll(async () => {
  await graph?.stop();
});

/** Nests `me { cards { edges { node { owner { ... } } } } }` the given number of times. */
function nestedCards(levels: number): string {
  let selection = 'id';
  for (let level = 0; level < levels; level += 1) {
    selection = `cards(first: 100) { edges { node { owner { ${selection} } } } }`;
  }
  return `{ me { ${selection} } }`;
}

function limitErrors(result: GraphQLResult): string[] {
  return (result.errors ?? [])
    .filter((error) => error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED')
    .map((error) => error.message);
}

describe('gateway operation limits', () => {
  it('rejects the nested cards attack before any subgraph runs', async () => {
    const finds = () => storeCommandCount(graph.subgraphUrls.cards, { command: 'find' });
    const before = await finds();
    const result = await graphql(graph.gatewayUrl, nestedCards(5), { token });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(limitErrors(result).some((message) => /depth limit of 10/.test(message))).toBe(true);
    expect(await finds()).toBe(before);
  });

  it('rejects a costly operation within the depth limit', async () => {
    const result = await graphql(graph.gatewayUrl, nestedCards(2), { token });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/Cost limit of 20000/);
  });

  it('rejects 20 aliases', async () => {
    const fields = Array.from(
      { length: 20 },
      (_unused, index) => `t${index}: templates(first: 1) { edges { node { id } } }`,
    );
    const result = await graphql(graph.gatewayUrl, `{ ${fields.join(' ')} }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/Aliases limit of 15/);
  });

  it('rejects 11 directives', async () => {
    const result = await graphql(
      graph.gatewayUrl,
      `{ ${'__typename @include(if: true) '.repeat(11)}}`,
    );
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/Directives limit of 10/);
  });

  it('rejects an operation of 3000 tokens', async () => {
    const result = await graphql(graph.gatewayUrl, `{ ${'__typename '.repeat(3000)}}`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/2000 tokens/);
  });

  it.each(readdirSync(operationsDir).filter((name) => name.endsWith('.graphql')))(
    'accepts %s',
    async (name) => {
      const operation = readFileSync(join(operationsDir, name), 'utf8');
      // Without variables, operations that need them fail at execution, after validation.
      const result = await graphql(graph.gatewayUrl, operation, { token });
      expect(limitErrors(result)).toEqual([]);
    },
  );
});
