#!/usr/bin/env bash
# Starts N pairs of `mininet train` processes on the same --out (and N pairs with generated names in one working folder)
# and counts collisions: pairs where both processes wrote. Usage: tools/concurrent-writers.sh [N=50]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-50}
dotnet build -c Release src/Lab -v quiet -nologo >/dev/null
mininet=(dotnet "$PWD/src/Lab/bin/Release/net10.0/mininet.dll")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
small=(train --seq-len 5 --hidden 4 --batch 4 --steps 20 --eval-batch 8)
collisions=0 refused=0 mixed=0
for ((p = 1; p <= pairs; p++)); do
  out="$work/same-$p"
  "${mininet[@]}" "${small[@]}" --out "$out" >/dev/null 2>"$work/a.err" & a=$!
  "${mininet[@]}" "${small[@]}" --out "$out" >/dev/null 2>"$work/b.err" & b=$!
  ra=0 rb=0
  wait $a || ra=$?
  wait $b || rb=$?
  if [ $ra -eq 0 ] && [ $rb -eq 0 ]; then collisions=$((collisions + 1)); fi
  if [ $ra -eq 2 ] || [ $rb -eq 2 ]; then refused=$((refused + 1)); fi
  [ "$(wc -l <"$out/metrics.csv")" -eq 21 ] || mixed=$((mixed + 1))
  printf '\rpair %d/%d' "$p" "$pairs" >&2
done
echo >&2
mkdir -p "$work/default" && cd "$work/default"
for ((p = 1; p <= pairs; p++)); do
  "${mininet[@]}" "${small[@]}" >/dev/null & "${mininet[@]}" "${small[@]}" >/dev/null & wait
done
folders=$(find runs -mindepth 1 -maxdepth 1 -type d | wc -l)
echo "same --out: $pairs pairs, $collisions collisions, $refused refused with exit 2, $mixed folders with other than one run's rows; generated names: $((2 * pairs)) runs in $folders folders"
[ $collisions -eq 0 ] && [ $mixed -eq 0 ] && [ "$folders" -eq $((2 * pairs)) ]
