import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphql, startGraph, type TestGraph } from '@heartfelt/testkit';

const folder = mkdtempSync(join(tmpdir(), 'heartfelt-egress-'));
const egressLog = join(folder, 'egress.log');
let graph: TestGraph;

beforeAll(async () => {
  writeFileSync(egressLog, '');
  graph = await startGraph({
    env: {
      NODE_OPTIONS: `--require ${join(__dirname, 'support', 'recordEgress.js')}`,
      EGRESS_LOG_FILE: egressLog,
      // The gateway must keep Apollo's telemetry off even when the environment requests it.
      APOLLO_TELEMETRY_DISABLED: 'false',
    },
  });
});

afterAll(async () => {
  await graph?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('outbound connections', () => {
  it('go only to loopback services', async () => {
    const signUp = await graphql<{ signUp: { token: string } }>(
      graph.gatewayUrl,
      'mutation { signUp(input: {email: "egress@example.com", password: "correct horse battery", displayName: "E"}) { token } }',
    );
    expect(signUp.errors).toBeUndefined();
    const dashboard = await graphql(
      graph.gatewayUrl,
      '{ me { displayName cards(first: 5) { edges { node { id } } } } templates(first: 3) { edges { node { id } } } }',
      { token: signUp.data!.signUp.token },
    );
    expect(dashboard.errors).toBeUndefined();
    // Apollo's usage exporter, when on, starts probing cloud metadata addresses within seconds.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    expect(readFileSync(egressLog, 'utf8')).toBe('');
  });
});
