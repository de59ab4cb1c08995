#!/usr/bin/env bash
# Accuracy of the shipped doctrines on the ordinary record, against every baseline: on
# their curated case files, on every recorded vote of 2017-2019 and of 2022 to June 2024
# (in sample: the shipped vote weights were fitted to 2012-07 .. 2024-06), and out of
# sample: fitted before 2017 and tested on 2017-2019, fitted before 2022 and tested on
# 2022-2024. Then the forecaster. Prints Markdown tables (BENCHMARKS.md, docs/backtesting.md).
#
#   cargo build --release && benches/record_accuracy.sh [path/to/bamboo]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-target/release/bamboo}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/doctrines" "$tmp/ledger"
cp data/ledger/*.toml "$tmp/ledger/"

row() { # label, backtest JSON on stdin
  python3 -c '
import json, sys
label = sys.argv[1]
r = json.load(sys.stdin)
b = r["baselines"]
order = ["always-first", "majority", "neighbour", "last-similar"] + sorted(k for k in b if k.startswith("follow:"))
best = max(b.items(), key=lambda kv: kv[1])
cells = " | ".join("%.3f" % b[k] for k in order)
print("| %s | %d | **%.3f** | %s | %+.1f (%s) |" % (label, r["cases"], r["accuracy"], cells, (r["accuracy"] - best[1]) * 100, best[0]))
' "$1"
}

echo "| doctrine, cases | n | doctrine | always-first | majority | neighbour | last-similar | follow:CHN | follow:RUS | follow:USA | margin over the best |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
for d in vietnam india indonesia; do
  case $d in
    vietnam) curated="../shared/cases/vietnam.toml data/cases/vietnam-record.toml" ;;
    india) curated="data/cases/india.toml" ;;
    indonesia) curated="" ;;
  esac
  if [ -n "$curated" ]; then
    # shellcheck disable=SC2086
    $B backtest --doctrine data/doctrines/$d.toml $curated --json | row "$d, curated cases"
  fi
  for span in "2017 2019" "2022 2024"; do
    set -- $span
    $B backtest --doctrine data/doctrines/$d.toml --record --from "$1" --to "$2" --json | row "$d, record $1-$2 (in sample)"
  done
  for span in "2017 2019" "2022 2024"; do
    set -- $span
    $B doctrine fit --doctrine data/doctrines/$d.toml --record --until "$1-01-01" --to "$2-12-31" -o "$tmp/doctrines/$d-$1.toml" >/dev/null
    $B backtest --doctrine "$tmp/doctrines/$d-$1.toml" --record --from "$1" --to "$2" --json | row "$d, record $1-$2 (held out: fitted before $1)"
  done
done

echo
echo "| forecast | n | model accuracy | Brier | log loss | always-first | majority | neighbour | last-similar |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for mode in --given-positions --blind; do
  for span in "2017 2019" "2022 2024"; do
    set -- $span
    $B predict $mode --from "$1" --to "$2" --format json | python3 -c '
import json, sys
r = json.load(sys.stdin); m = r["model"]; b = r["baselines"]
cell = lambda k: "%.3f" % b[k]["accuracy"] if k in b else "–"
print("| %s %s | %d | **%.3f** | %.3f | %.3f | %s | %s | %s | %s |" % (sys.argv[1], sys.argv[2], m["n"], m["accuracy"], m["brier"], m["log_loss"], cell("always-first"), cell("majority"), cell("neighbour"), cell("last-similar")))
' "${mode#--}" "$1-$2"
  done
done
