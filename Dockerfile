# syntax=docker/dockerfile:1.7
# zquant as one executable in a minimal image. The build stage turns the source into dist/zquant
# (npm run build:binary: Node.js, the bundled server, DuckDB, isolated-vm, PGlite, public/); the
# final stage holds that file and nothing else on distroless/cc (glibc, libstdc++, libgcc: all the
# executable and its addons link against, see `ldd dist/zquant`), running as non-root.

# --- build: dependencies, type check, the executable. Node 24 LTS, the runtime the executable
# embeds (isolated-vm 7 ships prebuilt addons for it; g++ and python3 stay for any dependency that
# has to compile against node's headers on another architecture).
FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ binutils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY views ./views
COPY public ./public
COPY migrations ./migrations
COPY scripts ./scripts
RUN npx tsc --noEmit -p tsconfig.json
RUN npm run build:binary \
 && ./dist/zquant --version \
 && mkdir -p /out/data \
 && cp dist/zquant /out/zquant

# --- runtime: the executable alone
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
# GLIBC_TUNABLES: large allocations (a full-market panel is ~1 GB of typed arrays) on transparent
# huge pages; on VMs where 4 KB page faults are expensive that is most of a cold backtest (README).
ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    GLIBC_TUNABLES=glibc.malloc.hugetlb=1
# /data owned by the nonroot user (uid 65532) so a fresh named volume is writable.
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/zquant /usr/local/bin/zquant
USER nonroot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
# No curl or shell in the image: the executable checks itself (GET /healthz on HOST:PORT, exit 0/1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/zquant", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/zquant"]
CMD ["serve"]
