# syntax=docker/dockerfile:1
# Multi-stage build: cargo-leptos release build (server + size-optimised wasm), then a small
# Debian runtime with just the binary and the site folder.

FROM rust:1.95-bookworm AS builder
RUN rustup target add wasm32-unknown-unknown \
 && cargo install cargo-leptos@0.3.10 --locked \
 && cargo install wasm-bindgen-cli@0.2.130
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# wasm-opt from npm's binaryen (Debian's is too old: the page would not hydrate)
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=optional
COPY . .
RUN PATH="/app/node_modules/.bin:$PATH" cargo leptos build --release -P \
 && node scripts/assets.mjs target/site

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /app minijira
WORKDIR /app
COPY --from=builder /app/target/release/minijira /app/minijira
COPY --from=builder /app/target/site /app/site
ENV LEPTOS_OUTPUT_NAME=minijira \
    LEPTOS_SITE_ROOT=site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=0.0.0.0:8080 \
    LEPTOS_ENV=PROD \
    RUST_LOG=info \
    SECURE_COOKIES=true
USER minijira
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["/app/minijira", "healthcheck"]
# Required at run time: JWT_SECRET, TABLE_NAME, MAIL_FROM, AWS region/credentials (standard chain).
# Optional: METRICS_ADDR=0.0.0.0:9090 serves /metrics there (keep that port private),
# LOG_FORMAT=json. SIGTERM stops it cleanly within 9 s.
CMD ["/app/minijira", "serve"]
