# syntax=docker/dockerfile:1
# One image for every process of the graph: the gateway, the five subgraphs, their workers and
# the one-shot tools. The container's command picks the process, for example
#   docker run --rm heartfelt:local node subgraphs/cards/dist/worker.js
# Build: docker build -t heartfelt:local .
# docker-compose.yml and deploy/kubernetes run this image; docs/deploy.md lists the commands.

ARG NODE_IMAGE=node:20.20-bookworm-slim

# The package manifests alone, so that the dependency layers below are rebuilt when a
# package.json or the lockfile changes, not on every source change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
  && cp package.json package-lock.json /manifests/ \
  && find packages gateway subgraphs tools -name package.json -not -path '*/node_modules/*' \
    -exec cp --parents {} /manifests/ \;

# Every dependency, to compile the TypeScript workspaces.
FROM ${NODE_IMAGE} AS build
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx turbo run build --output-logs=errors-only
# The files the processes load at run time, in their repository layout. The deployment tests
# check that every file a started service loads or reads matches one of these paths.
RUN mkdir /runtime \
  && cp -r --parents \
    packages/*/dist gateway/dist subgraphs/*/dist tools/dist \
    subgraphs/*/src/schema.graphql schema/supergraph.graphql schema/persisted-operations.json \
    /runtime/

# Production dependencies only: no compilers, test runners or type definitions.
FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# HOST=0.0.0.0 makes each service reachable from other containers; outside a container the
# services listen on 127.0.0.1. APOLLO_TELEMETRY_DISABLED stops @apollo/gateway's anonymous
# usage reports (the gateway also forces it in code).
ENV NODE_ENV=production \
  APOLLO_TELEMETRY_DISABLED=true \
  HOST=0.0.0.0
WORKDIR /app
COPY --from=production-dependencies /app/ ./
COPY --from=build /runtime/ ./
# The only folder the service user may write to, for OUTBOX_DIR. The code stays owned by root.
RUN mkdir -p /var/lib/heartfelt && chown node:node /var/lib/heartfelt
USER node
# Liveness of whichever process runs: every one serves /healthz on its PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "gateway/dist/server.js"]
