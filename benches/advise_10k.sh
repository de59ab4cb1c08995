#!/usr/bin/env bash
# `bamboo advise` on 10,000 real cases, end to end: Vietnam's recorded General Assembly
# votes (`bamboo cases from-votes --subject VNM`, 4,326 cases to June 2024, each with every
# other state's vote), repeated with new ids (`unga-1741` → `unga-1741-r2`, ...) until there
# are 10,000, answered by the shipped Vietnam doctrine with the data folder.
#
# Usage: benches/advise_10k.sh [DATA_DIR] [N]   (default ../shared/data, 10000)
# BAMBOO_BIN=PATH times that binary instead of building this checkout's.
# Prints the wall and user CPU time of the command and the cases per second (wall).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
n="${2:-10000}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
bin="${BAMBOO_BIN:-}"
if [ -z "$bin" ]; then
  nice -n 19 cargo build --release --quiet -p bamboo-cli
  bin=./target/release/bamboo
fi
"$bin" --data "$data" cases from-votes --subject VNM -o "$out/record.toml"
# Repeat the record's [[case]] blocks with a suffix on every id until there are n cases.
awk -v n="$n" '
  FNR == 1 { pass++ }
  /^\[\[case\]\]/ { k++; if (k > n) exit }
  k == 0 { next }
  /^id = "/ && pass > 1 { sub(/"$/, "-r" pass "\"") }
  { print }
' $(for _ in $(seq 1 $(( (n + 4325) / 4326 ))); do echo "$out/record.toml"; done) > "$out/cases.toml"
echo "cases: $(grep -c '^\[\[case\]\]' "$out/cases.toml") ($(du -h "$out/cases.toml" | cut -f1))"
"$bin" --data "$data" advise --doctrine data/doctrines/vietnam.toml "$out/cases.toml" --json > /dev/null # warm the vote cache
for _ in 1 2 3; do
  /usr/bin/time -f "%e s wall, %U s user, %M KB max RSS" \
    "$bin" --data "$data" advise --doctrine data/doctrines/vietnam.toml "$out/cases.toml" --json 2>&1 >"$out/advice.json" \
    | tail -1 | awk -v n="$n" '{ printf "%s  (%.0f cases/s)\n", $0, n / $1 }'
done
