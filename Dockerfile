# Herald's API and worker in one image. Temporal and MongoDB come from docker-compose.yml (or your own).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# npm ci's postinstall patches the Temporal worker (see the script).
COPY scripts/patch-temporal-vm.mjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
# The data dir holds the generated admin key; a named volume inherits this ownership.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["npx", "tsx", "src/main.ts"]
