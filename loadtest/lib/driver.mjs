// An open-model load driver on Node's fetch (undici). Visits start at a set arrival rate, as
// k6's ramping-arrival-rate executor does. Each visit belongs to one logged-in user, who then
// thinks before the next visit, so a user never has two visits in flight. An arrival that
// finds every user busy or thinking is dropped and counted, which shows that the graph (or
// the user pool) no longer keeps up.
import { OPERATIONS, pickVisit } from './mix.mjs';

/** Time one request may take before it counts as a network error, in ms. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Period of the arrival clock, in ms. */
const TICK_MS = 10;

/** Outcome of one request: `ok`, `http` (non-2xx), `graphql` (errors in a 2xx) or `network`. */
function classify(status, body) {
  if (status < 200 || status > 299) return 'http';
  if (body === undefined) return 'http';
  if (Array.isArray(body.errors) && body.errors.length > 0) return 'graphql';
  return 'ok';
}

/** Returns whether a `data` object has at least one top-level field that is not null. */
function hasSomeData(data) {
  return (
    data !== null && typeof data === 'object' && Object.values(data).some((value) => value !== null)
  );
}

/** Posts operations to the gateway and records every request. */
export class GraphClient {
  constructor(gatewayUrl, startedAtMs) {
    this.gatewayUrl = gatewayUrl;
    this.startedAtMs = startedAtMs;
    /** One entry per request: start (ms since the run started), op, ms, outcome. */
    this.requests = [];
    /** First error message per operation and outcome, for the report. */
    this.sampleErrors = new Map();
  }

  /** Sends one named operation; returns its `data`, or undefined when it failed. */
  async send(name, variables, user) {
    const started = performance.now();
    let outcome;
    let body;
    try {
      const response = await fetch(this.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(user?.token ? { authorization: `Bearer ${user.token}` } : {}),
        },
        body: JSON.stringify({ query: OPERATIONS[name], variables }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      outcome = classify(response.status, body);
      if (outcome !== 'ok')
        this.noteError(name, outcome, body?.errors?.[0]?.message ?? `HTTP ${response.status}`);
    } catch (error) {
      outcome = 'network';
      this.noteError(name, outcome, error.cause?.code ?? error.name);
    }
    const ended = performance.now();
    this.requests.push({
      at: started - this.startedAtMs,
      op: name,
      ms: ended - started,
      outcome,
      // A response with errors and some data: the fields of healthy subgraphs were served.
      partial: outcome === 'graphql' && hasSomeData(body.data),
    });
    return outcome === 'ok' ? body.data : undefined;
  }

  noteError(name, outcome, message) {
    const key = `${name} ${outcome}`;
    const entry = this.sampleErrors.get(key) ?? { count: 0, message };
    entry.count += 1;
    this.sampleErrors.set(key, entry);
  }
}

/**
 * Logs every user in through the gateway, `concurrency` at a time, so that each visit carries
 * the user's own token. Throws when a login fails, since a run without tokens measures nothing.
 */
export async function logInUsers(gatewayUrl, users, password, concurrency = 4) {
  const client = new GraphClient(gatewayUrl, performance.now());
  const queue = [...users];
  const worker = async () => {
    for (let user = queue.shift(); user; user = queue.shift()) {
      const data = await client.send('LogIn', { input: { email: user.email, password } });
      if (!data?.logIn?.token) {
        throw new Error(
          `logIn of ${user.email} failed: ${JSON.stringify([...client.sampleErrors])}`,
        );
      }
      user.token = data.logIn.token;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * Runs visits through `phases` (each `{ rate, seconds }`, rate in visits per second) and
 * resolves when the last phase has ended and every visit in flight has finished. `onSecond`
 * is called once a second with the elapsed seconds, for fault injection and sampling.
 */
export async function runLoad({ gatewayUrl, users, phases, thinkSeconds = 2, onSecond }) {
  const startedAtMs = performance.now();
  const client = new GraphClient(gatewayUrl, startedAtMs);
  const effects = { checkouts: [], orders: [], scheduledCards: [], generations: [] };
  const visits = { started: 0, dropped: 0, completed: 0 };
  const idle = users.map((user) => ({ user, readyAt: 0 }));
  const inFlight = new Set();
  const totalSeconds = phases.reduce((sum, phase) => sum + phase.seconds, 0);

  /** Visits due by `elapsedSeconds`: the integral of the phases' rates. */
  const dueBy = (elapsedSeconds) => {
    let due = 0;
    let phaseStart = 0;
    for (const phase of phases) {
      const within = Math.min(Math.max(elapsedSeconds - phaseStart, 0), phase.seconds);
      due += within * phase.rate;
      phaseStart += phase.seconds;
    }
    return Math.floor(due);
  };

  const startVisit = (now) => {
    const index = idle.findIndex((entry) => entry.readyAt <= now);
    if (index === -1) {
      visits.dropped += 1;
      return;
    }
    const [entry] = idle.splice(index, 1);
    const visit = pickVisit(Math.random());
    const running = visit
      .run(client, entry.user, effects)
      .catch((error) => client.noteError(visit.name, 'driver', error.message))
      .finally(() => {
        visits.completed += 1;
        inFlight.delete(running);
        // Exponential think time with the given mean, capped at three times the mean.
        const think = Math.min(-Math.log(1 - Math.random()) * thinkSeconds, 3 * thinkSeconds);
        idle.push({ user: entry.user, readyAt: performance.now() + think * 1000 });
      });
    inFlight.add(running);
  };

  let lastSecond = -1;
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const elapsed = (now - startedAtMs) / 1000;
      const second = Math.floor(elapsed);
      if (second !== lastSecond) {
        lastSecond = second;
        onSecond?.(second);
      }
      if (elapsed >= totalSeconds) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = dueBy(elapsed);
      while (visits.started < due) {
        visits.started += 1;
        startVisit(now);
      }
    }, TICK_MS);
  });
  await Promise.allSettled([...inFlight]);
  return {
    requests: client.requests,
    sampleErrors: Object.fromEntries(client.sampleErrors),
    effects,
    visits,
    durationSeconds: totalSeconds,
  };
}
