# The gateway's container image: `docker build -t llm-gateway .` (README, "Container image").
# Every stage rests on one pinned base. `toolchain` adds the compilers native modules need;
# `build` compiles TypeScript with every dependency; `prod-deps` installs production dependencies
# only (better-sqlite3 is compiled there, against the runtime's Node); `runtime` copies the
# results beside the shipped config/ and runs as a non-root user, with no compiler and no npm step.

FROM node:22.23.3-bookworm-slim AS toolchain
# node-gyp's needs for better-sqlite3 when no prebuilt binary is reachable.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
# The web console (Preact + Vite): `npm run build` bundles it into dist/console/.
COPY console ./console
RUN npm run build

FROM toolchain AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM node:22.23.3-bookworm-slim AS runtime
# GATEWAY_PROFILE layers config/application-production.yml; PORT and HOST bind the server
# (config/application.yml); GATEWAY_CONFIG_DIR is where application.yml and pricing.yml live.
ENV NODE_ENV=production \
  GATEWAY_PROFILE=production \
  GATEWAY_CONFIG_DIR=/app/config \
  PORT=8080 \
  HOST=0.0.0.0
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
# The embedded SQLite database (./data/gateway.db) is the only path the gateway writes under /app;
# everything else stays owned by root, read-only to the gateway.
RUN mkdir -p /app/data && chown 1000:1000 /app/data
# The base image's `node` user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
# Node's fetch: the slim image has neither curl nor wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
