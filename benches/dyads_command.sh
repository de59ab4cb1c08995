#!/usr/bin/env bash
# Whole-command timing of `bamboo dyads` over 1946-2019 against the numpy peer, end to end
# (read the gzipped CSVs, compute, write the CSV), with hyperfine. Also checks that both
# outputs agree to 1e-9 before timing anything.
#
# Usage: benches/dyads_command.sh [DATA_DIR]   (default ../shared/data)
# Needs: hyperfine (apt-get install hyperfine), python3 with numpy.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
out="$(mktemp -d)"
cargo build --release --quiet
./target/release/bamboo --data "$data" dyads --to 2019 --format csv -o "$out/bamboo.csv"
python3 benches/peer_numpy_dyads.py "$data" -o "$out/peer.csv"
python3 benches/compare_dyads.py "$out/bamboo.csv" "$out/peer.csv"
hyperfine --warmup 2 --runs 10 --export-markdown "$out/dyads.md" \
  -n bamboo "./target/release/bamboo --data $data dyads --to 2019 --format csv -o $out/bamboo.csv" \
  -n numpy-peer "python3 benches/peer_numpy_dyads.py $data -o $out/peer.csv"
cat "$out/dyads.md"
