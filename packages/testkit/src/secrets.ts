import { signGatewayToken } from '@heartfelt/kit';

/** Secrets for test processes only; each test file's services use these. */
export const testSecrets = {
  SUBGRAPH_SIGNING_SECRET: 'test-subgraph-signing-secret-0123456789abcdef',
  JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
} as const;

/** Signs a gateway token for calling a subgraph directly in a test. */
export function gatewayTokenFor(subgraph: string, userId: string | null): Promise<string> {
  return signGatewayToken({ userId }, subgraph, testSecrets.SUBGRAPH_SIGNING_SECRET);
}
