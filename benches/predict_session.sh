#!/usr/bin/env bash
# Time of `bamboo predict` for one session (2019: 88 roll calls x 193 states, given
# positions and blind), beside the time to load the data alone (`bamboo dyads --year 2019`,
# whose own work is a few milliseconds). Median of 7 runs each, wall clock.
#
#   cargo build --release && benches/predict_session.sh [path/to/bamboo]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-target/release/bamboo}
median() {
  local cmd=("$@") ts=()
  for _ in 1 2 3 4 5 6 7; do
    local s e
    s=$(date +%s.%N); "${cmd[@]}" >/dev/null; e=$(date +%s.%N)
    ts+=("$(echo "$e - $s" | bc)")
  done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n 4p
}
load=$(median "$B" dyads --year 2019 --format csv)
given=$(median "$B" predict --from 2019 --to 2019 --format csv)
blind=$(median "$B" predict --blind --from 2019 --to 2019 --format csv)
printf '| run | median wall time (s) | after loading (s) |\n| --- | ---: | ---: |\n'
printf '| load the data only (`dyads --year 2019`) | %.3f | – |\n' "$load"
printf '| `predict --from 2019 --to 2019` (given positions) | %.3f | %.3f |\n' "$given" "$(echo "$given - $load" | bc)"
printf '| `predict --blind --from 2019 --to 2019` | %.3f | %.3f |\n' "$blind" "$(echo "$blind - $load" | bc)"
