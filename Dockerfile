# Studio Sessions: one image for the API, the Temporal worker and the one-shot
# migration (docker-compose.yml picks the command: `npm run api|worker|migrate`).
#
# The TypeScript runs through `tsx` (a runtime dependency), so there is no tsc
# step. Only the react-admin console is compiled (vite), and that needs the
# devDependencies, so it is built in its own stage and only admin/dist is kept.
#
# Needs BuildKit (the default builder of current Docker / `docker compose build`)
# for the npm cache mounts.

# A supported LTS line (Node 20 reached its end of life in April 2026); the code itself
# keeps running on Node 20.19+ (package.json engines) for those who run it outside.
ARG NODE_IMAGE=node:24-trixie-slim

# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
WORKDIR /app
# Quiet, deterministic npm inside builds and at run time (`npm run ...` is PID 1's
# child): no update check, no funding/audit chatter, no network at start-up.
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# ---------------------------------------------------------------------------
# Console build: full install (vite, react, react-admin are devDependencies).
FROM base AS build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
RUN npm run build:admin

# ---------------------------------------------------------------------------
# Runtime dependencies only, installed in a separate stage so that the
# runtime layer does not depend on (or get invalidated by) the console build.
# The embedded PostgreSQL (and its per-platform binaries) and @temporalio/testing
# are devDependencies, so they stay out, and the image builds on any platform
# (test/deploy/runtime-dependencies.test.ts keeps the entry points off them).
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# ---------------------------------------------------------------------------
FROM base AS runtime
# DATA_DIR: nothing durable may live in a container (API and workers are
# stateless, every replica must be interchangeable); this only gives the code a
# writable scratch place should it touch DATA_DIR at all.
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/tmp/studio-sessions

COPY --from=deps /app/node_modules ./node_modules
# Source (filtered by .dockerignore); tsx compiles it on the fly.
COPY . .
COPY --from=build /app/admin/dist ./admin/dist
# The workflows prebuilt from this very source, so a worker starts without bundling
# them (seconds on a small machine) and a restarted one is back in about a second.
RUN npm run build:workflows -- /app/worker/dist/workflows.js
ENV WORKFLOW_BUNDLE=/app/worker/dist/workflows.js

# Run unprivileged; the code is read-only for this user on purpose.
USER node
EXPOSE 3000

# No HEALTHCHECK here: the same image runs the worker and the migration, which
# have no HTTP port. docker-compose.yml gives the API its /readyz check.
CMD ["npm", "run", "api"]
