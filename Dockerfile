# tams-server container image: `docker build -t tams-server .` (see docs/operations.md).
# The build stage compiles the TypeScript sources to JavaScript (`npm run build`: tsc to dist/)
# and builds the web UI (Vite: ui/ to ui/dist) with the dev dependencies, then prunes those away;
# the runtime stage runs `node dist/src/main.js` with the production dependencies only (no tsx,
# no TypeScript sources), serving ui/dist at /ui.
# Node.js 24 (LTS), the release CI also runs the test suite and the compiled server on.

FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# package.json's allowScripts denies onnxruntime-node's install script, a CUDA download from
# NuGet (the CPU runtime is in the package); ONNXRUNTIME_NODE_INSTALL=skip tells the script the
# same under an npm that predates allowScripts. `npm install` installs the locked versions if
# `npm ci` refuses a lock file that lacks other platforms' optional binaries (as .ci/run does).
# `prepare` (scripts/ui-prepare.mjs, not in the build context) is skipped: `npm run build` below
# builds the web UI.
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY mgmt ./mgmt
COPY ui ./ui
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime: Debian slim (glibc, which DuckDB's prebuilt binary needs), non-root, data on a volume.
FROM node:24.21.0-bookworm-slim
LABEL org.opencontainers.image.title="tams-server" \
      org.opencontainers.image.description="Time-addressable Media Store (TAMS) API 7.0 server" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="1.1.0"
ENV NODE_ENV=production \
    TAMS_HOST=0.0.0.0 \
    TAMS_PORT=8000 \
    TAMS_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The web UI, built (the server finds ui/dist beside its package.json).
COPY --from=build /app/ui/dist ./ui/dist
COPY package.json ./
# tams-mgmt and tams-admin (`node bin/tams-mgmt.mjs …`) run dist/ here: tsx is not installed.
COPY bin ./bin
# The live recorder's media work (docs/recorder.md): Debian's ffmpeg and ffprobe; util-linux's
# setpriv (in the base image) ties each ffmpeg's life to the server's.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*
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
# node itself (not npm) is PID 1, so SIGTERM reaches the graceful shutdown.
# A 32 MB young generation: a third fewer scavenges under load (docs/benchmarks-history.md, "Memory and GC").
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]
