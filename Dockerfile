# syntax=docker/dockerfile:1.7
# zquant in one container: the Node.js server, embedded PGlite and DuckDB under /data by default.

# --- build: install every dependency (isolated-vm compiles its addon here) and check the types
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY views ./views
COPY public ./public
COPY migrations ./migrations
RUN npx tsc --noEmit -p tsconfig.json || (echo "type check failed" && exit 1)
# Keep production dependencies only (the compiled addons stay in place).
RUN npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies and sources, non-root
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
RUN groupadd --system zquant && useradd --system --gid zquant --home-dir /app zquant \
 && mkdir -p /data && chown zquant:zquant /data
WORKDIR /app
COPY --from=build --chown=zquant:zquant /app/node_modules ./node_modules
COPY --from=build --chown=zquant:zquant /app/package.json /app/tsconfig.json ./
COPY --from=build --chown=zquant:zquant /app/bin ./bin
COPY --from=build --chown=zquant:zquant /app/src ./src
COPY --from=build --chown=zquant:zquant /app/views ./views
COPY --from=build --chown=zquant:zquant /app/public ./public
COPY --from=build --chown=zquant:zquant /app/migrations ./migrations
USER zquant
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/zquant.js"]
CMD ["serve"]
