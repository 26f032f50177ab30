import { GATEWAY_TOKEN_HEADER, signGatewayToken } from '@heartfelt/kit';
import { SIGNING_SECRET } from './stack';

/** One GraphQL response as the tests read it. */
export interface GraphQLResponse<Data> {
  status: number;
  data?: Data | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

/** Posts a GraphQL operation to an ai process, signed for `userId` (null: anonymous). */
export async function graphql<Data = Record<string, unknown>>(
  baseUrl: string,
  userId: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<Data>> {
  const token = await signGatewayToken({ userId }, 'ai', SIGNING_SECRET);
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: token },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status'>;
  return { status: response.status, ...body };
}

/** Returns the first error code of a response, or undefined. */
export function firstErrorCode(response: GraphQLResponse<unknown>): unknown {
  return response.errors?.[0]?.extensions?.code;
}

/** Sums `heartfelt_store_commands_total` from a process's /metrics, optionally for one command. */
export async function storeCommands(baseUrl: string, command?: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('heartfelt_store_commands_total{')) continue;
    if (command && !line.includes(`command="${command}"`)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
