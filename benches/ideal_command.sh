#!/usr/bin/env bash
# Whole-command timing of `bamboo ideal` over every session 1946-2024 (read the vote
# tables, fit, bootstrap, write the CSV), with hyperfine: the estimate alone
# (--bootstrap 0) on one and on two threads, and the default 30 bootstrap replicates.
# Prints the fit's own line (EM iterations, convergence) first.
#
# Usage: benches/ideal_command.sh [DATA_DIR]   (default ../shared/data)
# Needs: hyperfine (apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
out="$(mktemp -d)"
cargo build --release --quiet
b=./target/release/bamboo
$b --data "$data" -v ideal --format csv -o "$out/ideal.csv" 2>&1 | grep '^ideal points'
hyperfine --warmup 1 --runs 5 --export-markdown "$out/ideal.md" \
  -n 'estimate, 2 threads' "$b --data $data ideal --bootstrap 0 --format csv -o $out/a.csv" \
  -n 'estimate, 1 thread' "RAYON_NUM_THREADS=1 $b --data $data ideal --bootstrap 0 --format csv -o $out/b.csv" \
  -n 'estimate + 30 bootstrap replicates' "$b --data $data ideal --format csv -o $out/c.csv"
cat "$out/ideal.md"
