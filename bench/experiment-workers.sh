#!/usr/bin/env bash
# Cells per minute of one experiment grid with 1 and with 2 (or N) worker processes: the pool's speed-up on this machine.
# Usage: bench/experiment-workers.sh [max workers = cores]
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-$(nproc)}
dotnet build -c Release src/Lab -v quiet -nologo >/dev/null
mininet=(dotnet "$PWD/src/Lab/bin/Release/net10.0/mininet.dll")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grid=(--task adding --model lstm --hidden 32 --seq-len 20,40 --clip none,global-norm:1 --seeds 1-4 --batch 32 --steps 600
      --optimizer sgd --lr 0.5 --eval-every 200 --eval-batch 100 --checkpoint-every 200)
cells=16
base=""
for workers in $(seq 1 "$max"); do
  start=$(date +%s.%N)
  "${mininet[@]}" experiment "${grid[@]}" --workers "$workers" --out "$work/w$workers" >/dev/null
  seconds=$(echo "$(date +%s.%N) - $start" | bc -l)
  rate=$(echo "$cells * 60 / $seconds" | bc -l)
  [ -n "$base" ] || base=$rate
  printf 'workers %d: %d cells in %.1f s, %.1f cells/min, speed-up %.2f\n' "$workers" "$cells" "$seconds" "$rate" "$(echo "$rate / $base" | bc -l)"
done
