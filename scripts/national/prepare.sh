#!/usr/bin/env bash
# Real national boundaries for the benchmark (issue 17), idempotent:
#   target/national/venv                 PyPI pins of scripts/national/requirements.txt
#   target/national/communes.geojson     provinces, districts and communes (popmap's import format)
#   target/national/table.csv            one SYNTHETIC month for every commune (publish format)
#   target/national/README.txt           counts: features in, joined, dropped and why
# Usage: bash scripts/national/prepare.sh   (FORCE=1 to rebuild the files)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=target/national
VENV=$OUT/venv
mkdir -p "$OUT"
if [[ ! -x $VENV/bin/python ]]; then
    python3 -m venv "$VENV"
fi
if ! cmp -s scripts/national/requirements.txt "$VENV/.requirements.txt"; then
    "$VENV/bin/pip" install -q -r scripts/national/requirements.txt >&2
    cp scripts/national/requirements.txt "$VENV/.requirements.txt"
fi
if [[ -s $OUT/communes.geojson && -s $OUT/table.csv && -s $OUT/README.txt && -z ${FORCE:-} ]]; then
    echo "prepare.sh: $OUT/communes.geojson is there (FORCE=1 rebuilds it)" >&2
    exit 0
fi
SITE=$("$VENV/bin/python" -c 'import vietnamadminunits, os; print(os.path.dirname(vietnamadminunits.__file__))')
"$VENV/bin/python" scripts/national/prepare.py \
    --gadm "$VENV/gis_data/vie.json" \
    --codes "$SITE/data/dataset.db" \
    --repo-communes data/vn/communes-2019.csv \
    --out "$OUT.tmp"
# Nothing half-written: the three files appear together.
mv "$OUT.tmp/communes.geojson" "$OUT.tmp/table.csv" "$OUT.tmp/README.txt" "$OUT/"
rmdir "$OUT.tmp"
echo "prepare.sh: wrote $OUT/communes.geojson, $OUT/table.csv, $OUT/README.txt" >&2
