#!/usr/bin/env bash
# Whole-command timings of `bamboo simulate` on the default world with hyperfine: the
# issue's command on 1 and 2 threads, and how cost grows with runs, years and states.
# Decisions per second = the JSON's `decisions` / mean time.
#
# Usage: benches/simulate_scaling.sh   (needs hyperfine: apt-get install hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
B=./target/release/bamboo
tmp="$(mktemp -d)"
decisions() { "$B" simulate --quiet --json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["decisions"])'; }

echo "## threads (2000 runs, 30 years, seed 7): decisions $(decisions --runs 2000 --years 30 --seed 7)"
hyperfine --warmup 1 --runs 5 --export-markdown "$tmp/threads.md" \
  -n "1 thread" "RAYON_NUM_THREADS=1 $B simulate --runs 2000 --years 30 --seed 7 --json --quiet" \
  -n "2 threads" "RAYON_NUM_THREADS=2 $B simulate --runs 2000 --years 30 --seed 7 --json --quiet"
cat "$tmp/threads.md"

echo "## runs (30 years)"
for r in 500 1000 2000 4000; do echo "runs=$r decisions=$(decisions --runs $r --years 30)"; done
hyperfine --warmup 1 --runs 3 --export-markdown "$tmp/runs.md" -L runs 500,1000,2000,4000 \
  "$B simulate --runs {runs} --years 30 --json --quiet"
cat "$tmp/runs.md"

echo "## years (1000 runs)"
hyperfine --warmup 1 --runs 3 --export-markdown "$tmp/years.md" -L years 10,30,60,120 \
  "$B simulate --runs 1000 --years {years} --json --quiet"
cat "$tmp/years.md"

echo "## middle states (1000 runs, 30 years): worlds with the first k states of the default world"
for k in 1 2 4; do
  awk -v k="$k" '/^\[\[state\]\]/{n++} n<=k' data/worlds/default.toml > "$tmp/world$k.toml"
  echo "states=$k decisions=$(decisions --world "$tmp/world$k.toml" --runs 1000 --years 30)"
done
hyperfine --warmup 1 --runs 3 --export-markdown "$tmp/states.md" -L k 1,2,4 \
  "$B simulate --world $tmp/world{k}.toml --runs 1000 --years 30 --json --quiet"
cat "$tmp/states.md"
echo "## memory (max RSS) for 500 and 8000 runs"
for r in 500 8000; do /usr/bin/time -f "runs=$r max RSS %M KB" "$B" simulate --runs $r --years 30 --json --quiet > /dev/null; done
