#!/usr/bin/env bash
# `bamboo dyads` over 1946-2019 against its peers, end to end (read the gzipped CSVs,
# compute, write the CSV): the numpy peer, a polars self-join and a DuckDB self-join. Each
# peer's output is first checked against bamboo's to 1e-9 on every row
# (benches/compare_dyads.py); then each command is run RUNS times and its best wall time
# and user CPU are printed, with the ratio to bamboo's.
#
# Usage: benches/peers_dyads.sh [DATA_DIR] [RUNS]   (default ../shared/data, 3)
# Needs: python3 with numpy, polars and duckdb (pip install numpy polars duckdb);
# PYTHON=/path/to/python picks the interpreter; BAMBOO_BIN=PATH a prebuilt binary.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
runs="${2:-3}"
py="${PYTHON:-python3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
bin="${BAMBOO_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --quiet -p bamboo-cli
  bin=./target/release/bamboo
fi
declare -A cmd=(
  [bamboo]="$bin --data $data dyads --to 2019 --format csv -o $out/bamboo.csv"
  [numpy]="$py benches/peer_numpy_dyads.py $data -o $out/numpy.csv"
  [polars]="$py benches/peer_polars_dyads.py $data -o $out/polars.csv"
  [duckdb]="$py benches/peer_duckdb_dyads.py $data -o $out/duckdb.csv"
)
order=(bamboo polars duckdb numpy)
for k in "${order[@]}"; do
  ${cmd[$k]}
done
for k in numpy polars duckdb; do
  printf '%s: ' "$k"
  "$py" benches/compare_dyads.py "$out/bamboo.csv" "$out/$k.csv"
done
best_bamboo=""
for k in "${order[@]}"; do
  best=""
  for _ in $(seq 1 "$runs"); do
    t=$( { /usr/bin/time -f "%e %U" ${cmd[$k]} >/dev/null; } 2>&1 | tail -1)
    if [ -z "$best" ] || awk -v a="${t% *}" -v b="${best% *}" 'BEGIN { exit !(a < b) }'; then
      best="$t"
    fi
  done
  [ "$k" = bamboo ] && best_bamboo="${best% *}"
  awk -v k="$k" -v w="${best% *}" -v u="${best#* }" -v b="$best_bamboo" \
    'BEGIN { printf "%-7s best of runs: %6.2f s wall, %6.2f s user CPU, %5.1f x bamboo (wall)\n", k, w, u, w / b }'
done
