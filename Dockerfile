# One image for every process of the graph; the command picks the service.
# Build: docker build -t heartfelt .
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json turbo.json tsconfig.base.json ./
COPY packages ./packages
COPY gateway ./gateway
COPY subgraphs ./subgraphs
COPY tools ./tools
COPY schema ./schema
RUN npm ci --no-audit --no-fund && npx turbo run build && npm prune --omit=dev

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production \
    APOLLO_TELEMETRY_DISABLED=true \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
# Every service answers /healthz on its PORT.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "gateway/dist/server.js"]
