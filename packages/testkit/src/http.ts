/** A GraphQL response as tests read it. */
export interface GraphQLResult<Data = Record<string, unknown>> {
  status: number;
  data?: Data | null;
  errors?: Array<{
    message: string;
    path?: Array<string | number>;
    extensions?: Record<string, unknown>;
  }>;
  extensions?: Record<string, unknown>;
  headers: Headers;
}

/** Posts one GraphQL operation and returns the HTTP status with the parsed body. */
export async function graphql<Data = Record<string, unknown>>(
  url: string,
  query: string,
  options: {
    variables?: Record<string, unknown>;
    token?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<GraphQLResult<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: Omit<GraphQLResult<Data>, 'status' | 'headers'>;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(
      `Expected a JSON body from ${url}, received HTTP ${response.status}: ${text.slice(0, 200)}`,
    );
  }
  return { status: response.status, headers: response.headers, ...body };
}

/** Data commands: the ones a request causes, as opposed to the driver's own bookkeeping. */
const dataCommands = new Set([
  'find',
  'aggregate',
  'count',
  'distinct',
  'getMore',
  'insert',
  'update',
  'delete',
  'findAndModify',
]);

/**
 * Reads `heartfelt_store_commands_total` from a service's /metrics and returns the number of data
 * commands sent so far, optionally only for one collection and command.
 */
export async function storeCommandCount(
  serviceUrl: string,
  filter: { collection?: string; command?: string } = {},
): Promise<number> {
  const metricsUrl = new URL('/metrics', serviceUrl);
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^heartfelt_store_commands_total\{([^}]*)\} (\d+(?:\.\d+)?)/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      [...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((label) => [label[1], label[2]]),
    );
    if (!dataCommands.has(labels.command ?? '')) continue;
    if (filter.collection && labels.collection !== filter.collection) continue;
    if (filter.command && labels.command !== filter.command) continue;
    total += Number(match[2]);
  }
  return total;
}
