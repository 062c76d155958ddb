# syntax=docker/dockerfile:1.7
# The services image: orchestrator, encoder, predictor and trainer workers (`enas serve ...`),
# CPU only (TensorFlow.js native CPU backend). Build from the repository root:
#   docker build -f docker/services.Dockerfile -t REGISTRY/dcl-enas/services:0.1.0 .
# The services run TypeScript from source through @swc-node/register, as in development
# (docs/configuration.md): swc and typescript are runtime dependencies; the development tools
# (nx, vitest, eslint, playwright) are not installed (--omit=dev).

# Node.js 24 (LTS until April 2028); Node 20 reached its end of life in April 2026.
ARG NODE_VERSION=24.21.0

# ---- dependencies, built with compilers that the runtime image does not carry -----------------
FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are skipped, then run for tfjs-node alone (it downloads libtensorflow for CPU);
# the GPU build of TensorFlow.js belongs to the trainer-gpu image.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm rebuild @tensorflow/tfjs-node \
 && rm -rf node_modules/@tensorflow/tfjs-node-gpu \
 && npm cache clean --force

# ---- runtime ----------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    ENAS_DATA_DIR=/data \
    HOME=/tmp
RUN groupadd --system --gid 10001 enas \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --shell /usr/sbin/nologin enas
WORKDIR /app
# Root-owned and read-only for the service user; the pod mounts /tmp (emptyDir) and /data.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY tools/register.cjs ./tools/register.cjs
COPY libs ./libs
COPY apps ./apps
USER 10001:10001
EXPOSE 8080 8081 8082 8083
ENTRYPOINT ["node", "-r", "./tools/register.cjs", "apps/cli/src/main.ts"]
CMD ["serve", "orchestrator"]
