#!/usr/bin/env bash
# A 200 MB table refused with bounded memory (issue 18 item 3): generates, in a temporary
# folder, a miniature vn-2025 (one province, three wards) and two ~200 MB tables, publishes
# each with --max-table-mb 400 (so the size rule does not stop them) and prints the exit code,
# the first lines of the refusal and the peak RSS (/usr/bin/time -v). Must hold: refused, peak
# RSS under 300 MB.
#   rows.csv  the three wards, then 200 MB of rows: repeated codes and junk codes
#   line.csv  the header, then one 200 MB row (refused at once: a row is at most 64 KiB)
# Usage: scripts/bigtable.sh [POPMAP_BINARY]   (default: target/release/popmap, else debug)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [[ -z "$bin" ]]; then
  target=${CARGO_TARGET_DIR:-target}
  bin=$target/release/popmap
  [[ -x "$bin" ]] || bin=$target/debug/popmap
fi
[[ -x "$bin" ]] || { echo "no popmap binary at $bin (cargo build --release --bin popmap)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export POPMAP_DB="sqlite://$work/store.db"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def square(x):
    return {"type": "Polygon", "coordinates": [[[105 + x, 21], [105.1 + x, 21],
            [105.1 + x, 21.1], [105 + x, 21.1], [105 + x, 21]]]}
feats = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[105, 21],
          [105.3, 21], [105.3, 21.1], [105, 21.1], [105, 21]]]},
          "properties": {"code": "01", "name": "Thành phố Hà Nội", "level": "province"}}]
for i, (code, name) in enumerate([("00004", "Phường Ba Đình"), ("00008", "Phường Ngọc Hà"),
                                  ("00070", "Phường Hoàn Kiếm")]):
    feats.append({"type": "Feature", "geometry": square(0.1 * i), "properties":
                  {"code": code, "name": name, "level": "commune", "parent_code": "01"}})
json.dump({"type": "FeatureCollection", "features": feats},
          open(f"{work}/vn.geojson", "w", encoding="utf-8"), ensure_ascii=False)
target = 200_000_000
head = ("code,name,population,males,females\n00004,Phường Ba Đình,1000,490,510\n"
        "00008,Phường Ngọc Hà,800,400,400\n00070,Phường Hoàn Kiếm,900,450,450\n")
with open(f"{work}/rows.csv", "w", encoding="utf-8") as f:
    f.write(head)
    size, i = len(head.encode()), 0
    block = []
    while size < target:
        # Every other row repeats a ward (duplicate_code), the others are junk codes
        # (unknown_code), each distinct.
        row = ("00004,Phường Ba Đình,1000,490,510\n" if i % 2 == 0
               else f"9{i:09d},Junk row {i},{i % 5000},{i % 2500},{i % 2500}\n")
        block.append(row)
        size += len(row.encode())
        i += 1
        if len(block) == 100_000:
            f.write("".join(block)); block = []
    f.write("".join(block))
with open(f"{work}/line.csv", "w", encoding="utf-8") as f:
    f.write("code,name,population\n00004,")
    chunk = "x" * 1_000_000
    for _ in range(200):
        f.write(chunk)
    f.write(",1000\n")
PY
"$bin" import boundaries --version vn-2025 --valid-from 2025-07-01 "$work/vn.geojson" >/dev/null

for name in rows line; do
  file=$work/$name.csv
  echo "== $name.csv: $(stat -c %s "$file") bytes"
  set +e
  /usr/bin/time -v "$bin" publish --period 2025-07 --max-table-mb 400 \
    --report "$work/$name.json" "$file" >"$work/out" 2>"$work/err"
  code=$?
  set -e
  echo "exit $code"
  grep '^popmap' "$work/err" | cut -c1-240
  # The first two errors and the last (past 1,000 the rest are counted in one).
  python3 - "$work/$name.json" <<'PY'
import json, sys
errors = json.load(open(sys.argv[1], encoding="utf-8"))["errors"]
for e in errors[:2] + (errors[-1:] if len(errors) > 2 else []):
    print(f"  line {e['line']}: {e['rule']}: {e['message']}"[:240])
PY
  grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$work/err" | sed 's/^\s*/  /'
done
