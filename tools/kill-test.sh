#!/usr/bin/env bash
# Kills a training run with SIGKILL N times at random moments (mostly while it checkpoints every few steps), resuming after
# each kill, then compares its metrics and final checkpoint with an uninterrupted run of the same settings.
# Prints: kills tried, rows lost, rows duplicated, and whether the files are byte-identical. Usage: tools/kill-test.sh [N=30]
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-30}
dotnet build -c Release src/Lab -v quiet -nologo >/dev/null
mininet=(dotnet "$PWD/src/Lab/bin/Release/net10.0/mininet.dll")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
settings=(train --seq-len 10 --hidden 8 --batch 16 --eval-every 50 --eval-batch 64 --steps 40000 --checkpoint-every 3)

"${mininet[@]}" "${settings[@]}" --out "$work/straight" >/dev/null
run="$work/killed"
lines() { if [ -f "$run/metrics.csv" ]; then wc -l <"$run/metrics.csv"; else echo 0; fi; }
done_kills=0
for ((k = 1; k <= kills; k++)); do
  if [ -f "$run/checkpoint.safetensors" ]; then
    "${mininet[@]}" train --resume "$run/checkpoint.safetensors" >/dev/null 2>"$work/err" &
  else
    "${mininet[@]}" "${settings[@]}" --out "$run" >/dev/null 2>"$work/err" &
  fi
  pid=$!
  before=$(lines)
  # wait until it trains (past start-up), then kill at a random moment within the next ~0.3 s
  while [ "$(lines)" -le $((before + 3)) ] && kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
  sleep "0.$((RANDOM % 30))"
  if kill -9 "$pid" 2>/dev/null; then done_kills=$((done_kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  printf '\rkill %d/%d: %s rows on disk' "$k" "$kills" "$(($(lines) - 1))" >&2
done
echo >&2
"${mininet[@]}" train --resume "$run/checkpoint.safetensors" >/dev/null 2>"$work/err" || grep -q "already finished" "$work/err"

expected=$(($(wc -l <"$work/straight/metrics.csv") - 1))
steps=$(tail -n +2 "$run/metrics.csv" | cut -d, -f2)
rows=$(echo "$steps" | wc -l)
duplicated=$(echo "$steps" | sort -n | uniq -d | wc -l)
lost=$(comm -23 <(seq 1 "$expected" | sort) <(echo "$steps" | sort -u) | wc -l)
identical=no
cmp -s "$run/metrics.csv" "$work/straight/metrics.csv" && cmp -s "$run/metrics.jsonl" "$work/straight/metrics.jsonl" \
  && cmp -s "$run/checkpoint.safetensors" "$work/straight/checkpoint.safetensors" && identical=yes
echo "kills tried: $kills, processes killed: $done_kills, rows: $rows of $expected, rows lost: $lost, rows duplicated: $duplicated, byte-identical to the uninterrupted run: $identical"
[ "$identical" = yes ]
