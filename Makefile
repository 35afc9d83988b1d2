# popmap — the two commands in the README, and a few helpers.
CARGO  ?= cargo
DB     ?= sqlite://data/build/popmap.db
LISTEN ?= 127.0.0.1:8080

.PHONY: demo web test test-browser fuzz lint fmt bench bench-h3 load api-load bench-national clean-demo

## Build, prepare the demo database (real boundaries, synthetic values) and serve it.
demo: web
	$(CARGO) build --release --bin popmap
	./target/release/popmap --db $(DB) demo --listen $(LISTEN)

## Build the web map (web-map/dist, served at / and /embed) from its npm packages.
web:
	cd web-map && npm ci --no-audit --no-fund && node build.mjs

## The whole test suite: formatting, lints, unit, store (SQLite + PostgreSQL) and end-to-end tests.
test:
	bash scripts/test.sh

## Only the real-browser tests of the web map (Chromium + Playwright, demo database).
test-browser:
	bash scripts/browser-test.sh

## The fuzz suite's property tests at FUZZ_CASES cases per target (`make test` runs a few hundred).
FUZZ_CASES ?= 20000
fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test -p popmap-tests --test fuzz

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## Benchmarks recorded in BENCHMARKS.md.
bench:
	bash scripts/bench.sh

## H3 figures: operator build, apply, cold hexagon tiles.
bench-h3:
	bash scripts/bench_h3.sh

## Tile-server load figures (cold tiles per zoom, warm throughput with wrk, RSS).
load:
	bash scripts/load.sh

## Data-API load figures (values of every commune, series over every period) with wrk.
api-load:
	bash scripts/api_load.sh

## Real national boundaries (GADM wards, official codes) against tippecanoe, PostGIS+martin, nginx.
bench-national:
	bash scripts/national/bench.sh

clean-demo:
	rm -rf data/build
