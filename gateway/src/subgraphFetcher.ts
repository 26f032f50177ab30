import type { Agent, Dispatcher } from 'undici';

/**
 * The part of a Fetch API `Response` that `RemoteGraphQLDataSource` reads: the status, a
 * header lookup and the body as JSON or text.
 */
export interface SubgraphResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/** The request options that `RemoteGraphQLDataSource.sendRequest` passes to its fetcher. */
export interface SubgraphRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export type SubgraphFetcher = (url: string, init: SubgraphRequestInit) => Promise<SubgraphResponse>;

class ResponseHeaders {
  constructor(private readonly headers: Dispatcher.ResponseData['headers']) {}

  get(name: string): string | null {
    const value = this.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/**
 * Creates a fetcher that sends subgraph requests with undici's `Agent.request`, on the agent's
 * keep-alive connections. It skips the WHATWG `fetch` layer (Request, Headers, Response and web
 * streams objects per call), which took 15% of the gateway's CPU profile samples in the
 * Dashboard run of loadtest/gateways.mjs. The body is read whole, as every caller reads it.
 */
export function createSubgraphFetcher(agent: Agent): SubgraphFetcher {
  const targets = new Map<string, { origin: string; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      targets.set(url, target);
    }
    return target;
  };

  return async (url, init) => {
    const { origin, path } = targetOf(url);
    const response = await agent.request({
      origin,
      path,
      method: (init.method ?? 'POST') as Dispatcher.HttpMethod,
      headers: init.headers,
      body: init.body,
    });
    let text: Promise<string> | undefined;
    const readText = () => (text ??= response.body.text());
    return {
      ok: response.statusCode >= 200 && response.statusCode < 300,
      status: response.statusCode,
      statusText: '',
      url,
      headers: new ResponseHeaders(response.headers),
      text: readText,
      json: async () => JSON.parse(await readText()) as unknown,
    };
  };
}
