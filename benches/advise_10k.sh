#!/usr/bin/env bash
# `bamboo advise` on 10,000 cases, end to end, two ways:
# - the real record: Vietnam's recorded General Assembly votes (`bamboo cases from-votes
#   --subject VNM`, 4,326 cases to June 2024, each with every other state's vote), repeated
#   with new ids (`unga-1741` → `unga-1741-r2`, ...) until there are N;
# - the shipped cases: the 63 of `data/cases/vietnam-record.toml` and
#   `../shared/cases/vietnam.toml` (curated decisions, most of them displeasing a pole, so
#   the planner searches), repeated the same way until there are N;
# each answered by the shipped Vietnam doctrine with the data folder, `--json`.
#
# Usage: benches/advise_10k.sh [DATA_DIR] [N] [RUNS]   (default ../shared/data, 10000, 3)
# BAMBOO_BIN=PATH times that binary instead of building this checkout's.
# Prints the wall and user CPU time of each run, the cases per second of wall time and per
# CPU-second (user + sys), and the load average before each run (the machine is shared:
# quote CPU time with the load).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
n="${2:-10000}"
runs="${3:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
bin="${BAMBOO_BIN:-}"
if [ -z "$bin" ]; then
  nice -n 19 cargo build --release --quiet -p bamboo-cli
  bin=./target/release/bamboo
fi
"$bin" --data "$data" cases from-votes --subject VNM -o "$out/record.toml"
# Repeat the files' [[case]] blocks (each file from its first [[case]]) with a suffix on
# every id from the second pass on, until there are n cases.
# Usage: repeat TARGET FILES_PER_PASS FILE...
repeat() {
  local target="$1" group="$2"; shift 2
  awk -v n="$n" -v nfiles="$group" '
    FNR == 1 { file++; pass = int((file - 1) / nfiles) + 1; started = 0 }
    /^\[\[case\]\]/ { started = 1; k++; if (k > n) exit }
    !started { next }
    /^id = "/ && pass > 1 { sub(/"$/, "-r" pass "\"") }
    { print }
  ' "$@" > "$target"
}
per=4326
files=()
for _ in $(seq 1 $(( (n + per - 1) / per ))); do files+=("$out/record.toml"); done
repeat "$out/real.toml" 1 "${files[@]}"
files=()
for _ in $(seq 1 $(( (n + 62) / 63 ))); do files+=(data/cases/vietnam-record.toml ../shared/cases/vietnam.toml); done
repeat "$out/shipped.toml" 2 "${files[@]}"
for input in real shipped; do
  f="$out/$input.toml"
  echo "$input: $(grep -c '^\[\[case\]\]' "$f") cases ($(du -h "$f" | cut -f1))"
  "$bin" --data "$data" advise --doctrine data/doctrines/vietnam.toml "$f" --json > /dev/null # warm the vote cache
  for _ in $(seq 1 "$runs"); do
    load="$(cut -d' ' -f1 /proc/loadavg)"
    /usr/bin/time -f "%e %U %S %M" \
      "$bin" --data "$data" advise --doctrine data/doctrines/vietnam.toml "$f" --json 2>&1 >"$out/advice.json" \
      | tail -1 | awk -v n="$n" -v load="$load" '{
          printf "  %.2f s wall, %.2f s user, %.2f s sys, %d KB max RSS, load %s: %.0f cases/s wall, %.0f per CPU-second\n",
            $1, $2, $3, $4, load, n / $1, n / ($2 + $3) }'
  done
done
