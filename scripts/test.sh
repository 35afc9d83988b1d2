#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it.
# Starts a throwaway PostgreSQL (installing it from Debian if missing) so the store suite runs
# on both backends; nothing here is skipped in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

POPMAP_TEST_PG="$(bash scripts/pg.sh)"
export POPMAP_TEST_PG
echo "test.sh: PostgreSQL for tests at $POPMAP_TEST_PG" >&2

# Python packages of the cross-checks (jenkspy for natural breaks, Uber's h3 for the H3 cover,
# schemathesis for the data API), pinned in tests/python/requirements.txt, in a venv made here.
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    apt-get update -q >&2 && apt-get install -y -q python3-venv >&2
fi
if [[ ! -x target/pyenv/bin/python ]]; then
    python3 -m venv target/pyenv
fi
target/pyenv/bin/pip install -q -r tests/python/requirements.txt >&2
POPMAP_PYTHON="$PWD/target/pyenv/bin/python"
export POPMAP_PYTHON

# The web map's build copies the Noto Sans files into web-map/dist/fonts, which the glyph tests
# (geodata's and the tileserver suite's) read: build it before the cargo suites.
(cd web-map && npm ci --no-audit --no-fund --loglevel=error && node build.mjs)

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# The browser suite runs even when a cargo test failed, so one CI run reports both; the
# script still fails if either did.
status=0
cargo test --workspace --no-fail-fast || status=$?

# The web map in a real browser (Chromium, Playwright) against the demo database.
bash scripts/browser-test.sh || status=$?
if [[ $status -ne 0 ]]; then
    echo "test.sh: FAILED (see the failures above)" >&2
fi
exit "$status"
