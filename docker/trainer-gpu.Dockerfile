# syntax=docker/dockerfile:1.7
# The GPU trainer image: trial Jobs (trainer job mode) and GPU trainer workers.
# @tensorflow/tfjs-node-gpu 4.22 binds libtensorflow 2.9.1, built for CUDA 11.2 and cuDNN 8.1,
# hence this CUDA base (the node needs an NVIDIA driver >= 450.80.02). Build from the repo root:
#   docker build -f docker/trainer-gpu.Dockerfile -t REGISTRY/dcl-enas/trainer-gpu:0.1.0 .

# Node.js 24 (LTS until April 2028); Node 20 reached its end of life in April 2026.
ARG NODE_VERSION=24.21.0
# An end-of-life tag that NVIDIA may delete: mirror it and pass it pinned by digest
# (--build-arg CUDA_IMAGE=REGISTRY/mirror/cuda@sha256:...; docker/README.md).
ARG CUDA_IMAGE=nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04

# Node.js itself comes from the official image (its binary needs glibc 2.28; Ubuntu 20.04 has 2.31).
FROM node:${NODE_VERSION}-bookworm-slim AS node

FROM ${CUDA_IMAGE} AS cuda-node
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx

# ---- dependencies, built on the runtime's own OS so native addons match its glibc -----------
FROM cuda-node AS deps
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# tfjs-node-gpu's install script downloads libtensorflow-gpu 2.9.1 and its binding.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm rebuild @tensorflow/tfjs-node-gpu \
 && rm -rf node_modules/@tensorflow/tfjs-node \
 && npm cache clean --force

# ---- runtime ----------------------------------------------------------------------------------
FROM cuda-node AS runtime
ENV NODE_ENV=production \
    ENAS_DATA_DIR=/data \
    HOME=/tmp \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
RUN groupadd --system --gid 10001 enas \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --shell /usr/sbin/nologin enas
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY tools/register.cjs ./tools/register.cjs
COPY libs ./libs
COPY apps ./apps
USER 10001:10001
# Trial Jobs replace the command with the trainer's job mode (libs/k8s-launcher,
# DEFAULT_TRAINER_COMMAND); as a worker it serves the JetStream trial queue.
ENTRYPOINT ["node", "-r", "./tools/register.cjs", "apps/cli/src/main.ts"]
CMD ["serve", "trainer"]
