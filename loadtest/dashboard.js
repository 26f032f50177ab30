// k6 scenario: logged-in users loading the Dashboard against a local graph.
// Run against `npm start` with the cost rate limit off, since every virtual user is the demo
// user on one address: RATE_LIMIT_ENABLED=false npm start, then k6 run loadtest/dashboard.js
// Settings: GRAPH_URL (default http://127.0.0.1:4000/graphql), VUS (default 10),
// DURATION (default 30s). Only loopback targets are intended.
import http from 'k6/http';
import { check, sleep } from 'k6';

const url = __ENV.GRAPH_URL || 'http://127.0.0.1:4000/graphql';
const dashboard = open('../schema/operations/Dashboard.graphql');

export const options = {
  vus: Number(__ENV.VUS || 10),
  duration: __ENV.DURATION || '30s',
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<500', 'p(99)<1000'],
    checks: ['rate>0.99'],
  },
};

export function setup() {
  const response = http.post(
    url,
    JSON.stringify({
      query:
        'mutation { logIn(input: {email: "demo@heartfelt.test", password: "heartfelt-demo"}) { token } }',
    }),
    { headers: { 'content-type': 'application/json' } },
  );
  return { token: response.json('data.logIn.token') };
}

export default function (data) {
  const response = http.post(url, JSON.stringify({ query: dashboard, variables: { first: 20 } }), {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${data.token}` },
  });
  check(response, {
    'status is 200': (r) => r.status === 200,
    'no GraphQL errors': (r) => !r.json('errors'),
  });
  sleep(1);
}
