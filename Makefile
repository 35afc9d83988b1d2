# popmap — the two commands in the README, and a few helpers.
CARGO  ?= cargo
DB     ?= sqlite://data/build/popmap.db
LISTEN ?= 127.0.0.1:8080

.PHONY: demo test lint fmt bench bench-h3 load clean-demo

## Build, prepare the demo database (real boundaries, synthetic values) and serve it.
demo:
	$(CARGO) build --release --bin popmap
	./target/release/popmap --db $(DB) demo --listen $(LISTEN)

## The whole test suite: formatting, lints, unit, store (SQLite + PostgreSQL) and end-to-end tests.
test:
	bash scripts/test.sh

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

clean-demo:
	rm -rf data/build
