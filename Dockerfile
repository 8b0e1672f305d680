# syntax=docker/dockerfile:1

# One Node.js for every stage: 24, the active LTS line (20 reached its end of life on 2026-04-30).
ARG NODE_IMAGE=node:24-bookworm-slim

# Build: compile TypeScript with the dev dependencies, then set the product apart: the exporter's
# compiled code (dist/src) and build info, without the simulator package (simulator/dist), the demo,
# the benchmarks or source maps.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY simulator/package.json simulator/
RUN npm ci --no-audit --no-fund
COPY . .
ARG REVISION
RUN npm run build
RUN mkdir -p /product/dist && cp -r dist/src dist/build-info.json /product/dist/ \
  && find /product/dist -name '*.map' -delete

# Production dependencies, shared by the exporter and the simulator images.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The product's dependencies only: the simulator workspace package is not installed here.
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund && npm cache clean --force \
  && mkdir -p /var/lib/avepoint-exporter && chown node:node /var/lib/avepoint-exporter \
  && chmod 700 /var/lib/avepoint-exporter
USER node

# The simulator for the demo stack (docker compose builds this target); never in the exporter image.
FROM runtime AS simulator
COPY --from=build /app/simulator/package.json ./simulator/
COPY --from=build /app/simulator/dist ./simulator/dist
EXPOSE 10124
ENTRYPOINT ["node", "simulator/dist/main.js"]

# The exporter: the default (last) target.
FROM runtime AS exporter
ARG REVISION=unknown
ARG VERSION=0.1.0
ARG NODE_IMAGE
LABEL org.opencontainers.image.title="avepoint-exporter" \
  org.opencontainers.image.description="Prometheus exporter for the AvePoint Elements partner API: scan profile status and daily change counts for every customer" \
  org.opencontainers.image.licenses="Apache-2.0" \
  org.opencontainers.image.version="${VERSION}" \
  org.opencontainers.image.revision="${REVISION}" \
  org.opencontainers.image.base.name="${NODE_IMAGE}"
COPY --from=build /product/dist ./dist
# The kept state (docs/state.md): a directory the node user owns, declared a volume so that it
# outlives the container; mount a named volume or a claim there. A flag overrides the path.
ENV STORAGE_PATH=/var/lib/avepoint-exporter
VOLUME ["/var/lib/avepoint-exporter"]
EXPOSE 10123
# The exporter checks itself with its own configuration (flags, environment, config and web config
# files, read from the running process): the listen address and TLS it really uses, not a fixed URL.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "dist/src/healthcheck/main.js"]
# node directly, not npm: SIGTERM reaches the process and it shuts down gracefully.
ENTRYPOINT ["node", "dist/src/main.js"]
