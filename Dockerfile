# tams-server container image: `docker build -t tams-server .` (see README "Deploy with Helm").
# The sources are TypeScript run by tsx, as `npm start` does; the build stage type-checks them
# with the dev dependencies, then prunes those away for the runtime stage.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The lock file lacks other platforms' optional binaries (the registry it was made with serves
# none), which `npm ci` refuses; `npm install` then installs the locked versions (as .ci/run does).
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY mgmt ./mgmt
COPY bin ./bin
RUN npx tsc --noEmit && npm prune --omit=dev --no-audit --no-fund

# Runtime: Debian slim (glibc, which DuckDB's prebuilt binary needs), non-root, data on a volume.
FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="tams-server" \
      org.opencontainers.image.description="Time-addressable Media Store (TAMS) API 7.0 server" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    TAMS_HOST=0.0.0.0 \
    TAMS_PORT=8000 \
    TAMS_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY mgmt ./mgmt
COPY bin ./bin
# The embedded engine's DuckDB file and the fs media store live under /data, owned by `node`.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
# Liveness only (/health): readiness (/ready) is for load balancers, which Docker has none of.
# No --start-period: dockerfilelint 1.8 misreads it; three 30 s intervals cover a slow start.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TAMS_PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# node itself (not npm or tsx's watcher) is PID 1, so SIGTERM reaches the graceful shutdown.
# A 32 MB young generation: a third fewer scavenges under load (BENCHMARKS.md, "Memory and GC").
CMD ["node", "--max-semi-space-size=32", "--import", "tsx", "src/main.ts"]
