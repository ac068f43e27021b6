# The ml-connector worker. The Temporal server runs elsewhere (docker-compose.yml or a cluster),
# so the image skips the Temporal CLI install step.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV ML_CONNECTOR_SKIP_TEMPORAL_CLI=1
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY simulators ./simulators
COPY bench ./bench
COPY bin ./bin
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production ML_CONNECTOR_DATA_DIR=/data
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
ENTRYPOINT ["node", "bin/ml-connector.js"]
CMD ["worker"]
