import { auditServer } from 'graphql-http';
import { startGraph, type TestGraph } from '@heartfelt/testkit';

// The audit's variable and encoding checks query __type, so it runs against the default
// profile: in production, introspection is off and those checks get validation errors.
let graph: TestGraph;

beforeAll(async () => {
  graph = await startGraph();
});

afterAll(async () => {
  await graph?.stop();
});

describe('GraphQL over HTTP audit', () => {
  it('passes every MUST and SHOULD', async () => {
    const results = await auditServer({ url: graph.gatewayUrl });
    const failures = results
      .filter((result) => result.status !== 'ok' && !result.name.startsWith('MAY'))
      .map((result) => `${result.id} ${result.name}: ${'reason' in result ? result.reason : ''}`);
    expect(results.length).toBeGreaterThan(50);
    expect(failures).toEqual([]);
  });
});
