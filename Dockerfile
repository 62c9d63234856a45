# syntax=docker/dockerfile:1.7
#
# One image for every service of the platform. The service is chosen at run time with SERVICE
# (gateway, identity, tenants, provisioning, backups, billing, webhooks):
#
#   docker build -t saas-control-plane .
#   docker run -e SERVICE=tenants saas-control-plane
#   docker run saas-control-plane node dist/tools/platform/migrate.js   # any other entry point
#
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: install everything (SWC is a devDependency), compile TS -> dist/, then drop dev deps.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# No telemetry or daemons during the build.
ENV CI=true \
    NX_DAEMON=false \
    NX_NO_CLOUD=true \
    SCARF_ANALYTICS=false

# Manifests first so the dependency layer is cached until the lockfile changes.
# Native modules (argon2, @swc/core) ship prebuilt linux-x64/arm64 glibc binaries, so no toolchain is needed.
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

COPY . .
RUN npm run build \
 # The runtime only executes dist/ with plain Node; SWC, Jest, Nx, TypeScript are build/test tools.
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# pg_dump must be the same major as the server (an older pg_dump refuses a newer server, and a newer
# pg_dump emits settings an older server rejects on restore), so take it from the PGDG repository
# rather than Debian's (bookworm ships 15). Keep in step with the Postgres major you run.
ARG PG_CLIENT_MAJOR=16
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl tini; \
    install -d /usr/share/postgresql-common/pgdg; \
    curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc; \
    echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list; \
    apt-get update; \
    apt-get install -y --no-install-recommends "postgresql-client-${PG_CLIENT_MAJOR}"; \
    apt-get purge -y --auto-remove curl; \
    rm -rf /var/lib/apt/lists/*; \
    pg_dump --version

WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps

# Application files stay owned by root (read-only for the app user); only data directories are
# writable. /var/lib/saas/backups is BACKUP_DIR for filesystem backups; /app/.platform is the
# working directory of the local provisioning runtime. Creating them here with the right owner
# means a fresh Docker named volume mounted on them is writable by the app user too.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN install -d -o 1000 -g 1000 /var/lib/saas /var/lib/saas/backups /app/.platform

ARG SERVICE=gateway
ENV SERVICE=${SERVICE}

# Numeric UID (the image's `node` user) so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000

EXPOSE 3000 9100

# tini is PID 1: it forwards SIGTERM/SIGINT to node and reaps orphans (pg_dump, tenant processes of
# the local runtime). The shell only expands ${SERVICE} and then `exec`s, so node receives the
# signal directly and can drain (NestJS shutdown hooks) within the stop grace period.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/bin/sh", "-c", "exec node \"dist/apps/${SERVICE}/src/main.js\""]
