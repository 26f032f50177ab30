import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExplainRecorder } from './explain';

/**
 * Facts about the request a process is serving, available to every function the request calls
 * without passing them along. The logger adds `operation` and `subgraph` to each record, and the
 * store and cache add to `explain` when the request enabled it.
 */
export interface RequestScope {
  /** Operation name, once Apollo Server has resolved the operation. */
  operation?: string;
  /** The subgraph serving the request, in subgraph processes. */
  subgraph?: string;
  /** Collects the explain facts of a request the gateway signed with the explain claim. */
  explain?: ExplainRecorder;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `handle` with a new request scope; the scope object may be filled in while it runs. */
export function runInRequestScope<T>(scope: RequestScope, handle: () => T): T {
  return storage.run(scope, handle);
}

/** Returns the scope of the request being served, or undefined outside a request. */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
