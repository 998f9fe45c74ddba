# Herald's API and worker (HERALD_ROLE=all|api|worker) as compiled JavaScript. Temporal and MongoDB come
# from docker-compose.yml, deploy/docker-compose.production.yml or your own.
# NOT BUILT HERE: the development machines have no Docker engine (docs/docker.md says what was checked).
#   docker build -t herald .
#
# Node 22, a supported LTS major (maintenance until April 2027); Node 20 is past its end of life. The
# major is pinned here; pin a digest (node:22-bookworm-slim@sha256:…) where builds must be reproducible.
ARG NODE_IMAGE=node:22-bookworm-slim

# 1. Build: every dependency (TypeScript), `npm run build` → dist/ (compiled JS and the prebuilt
#    workflow bundle dist/workflow-bundle.js, so no process bundles workflow code at start).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall patches the Temporal worker and the MongoDB driver (see the scripts).
COPY scripts/patch-temporal-vm.mjs scripts/patch-mongodb-write.mjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts ./scripts
RUN npm run build

# 2. Production dependencies only, with the same postinstall patch.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/patch-temporal-vm.mjs scripts/patch-mongodb-write.mjs ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. Runtime: no compiler, no sources, not root.
FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production \
    HERALD_API_HOST=0.0.0.0 \
    HERALD_API_PORT=3000 \
    HERALD_DATA_DIR=/data
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# The data dir holds the generated admin key; a named volume mounted there inherits this ownership.
RUN mkdir -p /data && chown node:node /data
# The image's own unprivileged user (uid 1000); the code it runs is root-owned and read-only to it.
USER node
EXPOSE 3000
# Ready = Temporal and MongoDB reachable (GET /readyz answers 200). Node's fetch: the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HERALD_API_PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node itself as PID 1 (no npm in between), so SIGTERM reaches Herald, which drains within
# HERALD_SHUTDOWN_GRACE (25 s): give `docker stop` / compose's stop_grace_period that plus 10 s.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
