# The two commands a newcomer needs: `make dev` and `make test`. The rest are for CI and habits.
SHELL := /bin/bash
# Same flag as cargo-leptos's debug builds, so clippy and tests share their dependency builds.
ERASE := RUSTFLAGS="--cfg erase_components"

.PHONY: dev test bench lighthouse faults lint fmt clippy cfn-lint tsc ci release tools

## Run the app with local DynamoDB, the SES emulator and demo data, with live reload.
dev:
	@bash scripts/dev.sh

## Every test: unit, integration (DynamoDB Local + SES emulator) and Playwright.
test:
	@bash scripts/test.sh

## Benchmark: release server, realistic data, wrk at concurrency 1/8/32; tables + bench-results/*.json.
bench:
	@bash scripts/bench.sh

## Lighthouse (mobile) on the dashboard, backlog, board and a conversation, signed in, release build.
lighthouse:
	@bash scripts/lighthouse.sh

## Fault tests alone (also in `make test`): DynamoDB Local SIGKILLed under write load, SES outage.
faults:
	@bash scripts/faults.sh

## fmt check, clippy for both features (warnings denied), cfn-lint on the CloudFormation template,
## tsc on public/shell.js (JSDoc types, strict).
lint: clippy cfn-lint tsc
	cargo fmt --all -- --check

tsc:
	@bash -c 'source scripts/lib.sh && ensure_npm && npx --no-install tsc -p tsconfig.shell.json && echo "tsc: public/shell.js type-checks"'

cfn-lint:
	@bash -c 'source scripts/lib.sh && ensure_cfn_lint && .tools/cfn-lint/bin/cfn-lint deploy/minijira.yaml && echo "cfn-lint: deploy/minijira.yaml passes"'

clippy:
	@bash -c 'source scripts/lib.sh && ensure_rust_tools'
	$(ERASE) cargo clippy --features ssr,bench --all-targets -- -D warnings
	$(ERASE) cargo clippy --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

fmt:
	cargo fmt --all

## What CI runs.
ci: lint test

## Optimised build (server + size-optimised wasm) into target/site and target/release.
release:
	@bash -c 'source scripts/lib.sh && ensure_rust_tools && ensure_npm && build_site --release -P'
