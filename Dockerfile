# syntax=docker/dockerfile:1
# k8s-audit-webhook: build on Debian 12 with the toolchain better-sqlite3 needs, run on distroless.
#
#   docker build -t k8s-audit-webhook:dev .
#   docker run --read-only --tmpfs /tmp -v audit-data:/data -p 8080:8080 k8s-audit-webhook:dev
#
# The root filesystem can be read-only: the only writable paths are /data (SQLite file, its WAL
# and journal) and /tmp, and both are volumes in the Kubernetes manifests.

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 is a native addon compiled from source during `npm ci`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Dependencies first, so a source change does not rebuild the native addon.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# Sources (see .dockerignore for what stays out), then compile to dist/, build the console's
# CSS and copy htmx into public/build/ (Tailwind and htmx are dev deps), and drop dev deps.
COPY . .
RUN npm run build \
 && test -f dist/src/main.js \
 && test -f public/build/console.css \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p /data

FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production \
    ENVIRONMENT=production \
    HTTP_PORT=8080 \
    DB_PATH=/data/audit.db \
    TMPDIR=/tmp
COPY --from=build --chown=65532:65532 /data /data
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/views ./views
COPY --from=build /app/public ./public
# The default detection rules (src/detection/rules-loader.ts reads rules/*.yaml beside dist/).
COPY --from=build /app/rules ./rules
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8080
# The distroless entrypoint is the node binary; no shell, so no shell-form HEALTHCHECK either:
# Kubernetes probes /healthz and /readyz.
CMD ["dist/src/main.js"]
