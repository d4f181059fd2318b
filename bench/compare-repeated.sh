#!/usr/bin/env bash
# compare.sh, N times, summarized: per workload, the median MiniNet/PyTorch ratio over the runs and its range.
# One compare.sh run takes a 15-repetition median of each side once; on a shared 2-core machine a sub-millisecond
# workload (gemm) swings by 2x between runs on either side, so a target is judged on the median of several runs.
#
# Usage (from the project root): bench/compare-repeated.sh [runs, default 5] [command that prints MiniNet's table]
#   MININET_BLAS=openblas bench/compare-repeated.sh 10      # the OpenBLAS backend
# Each run's own table goes to standard error as it finishes, so progress shows.
set -euo pipefail
runs="${1:-5}"
case "$runs" in '' | *[!0-9]* | 0) echo "compare-repeated.sh: runs must be a positive whole number, got '$runs'" >&2; exit 2 ;; esac
here="$(cd "$(dirname "$0")" && pwd)"
compare="$here/../../shared/bench/compare.sh"
[ -f "$compare" ] || { echo "compare-repeated.sh: $compare not found (the shared bench sits beside the project)" >&2; exit 2; }
mininet_cmd="${2:-dotnet $here/MiniNet.Bench/bin/Release/net10.0/MiniNet.Bench.dll workloads}"
if [ -z "${2:-}" ]; then
  dotnet build -c Release --nologo -v quiet "$here/MiniNet.Bench" >&2
fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for i in $(seq 1 "$runs"); do
  echo "# run $i of $runs" >&2
  bash "$compare" "$mininet_cmd" > "$tmp/run.txt" || { cat "$tmp/run.txt" >&2; echo "compare-repeated.sh: run $i failed" >&2; exit 1; }
  cat "$tmp/run.txt" >&2
  awk 'NR > 1 { print $1 "\t" $2 "\t" $3 "\t" $4 }' "$tmp/run.txt" >> "$tmp/all.tsv"
done
# The median of column $2 of the rows for workload $1 (mawk has no sort, so sort(1) orders them).
median() { awk -F'\t' -v name="$1" -v column="$2" '$1 == name { print $column }' "$tmp/all.tsv" | sort -g |
  awk '{ value[NR] = $1 } END { print NR % 2 ? value[(NR + 1) / 2] : (value[NR / 2] + value[NR / 2 + 1]) / 2 }'; }
printf '%-36s %8s %8s %8s %14s %14s\n' workload median min max mininet_ms torch_ms
for name in $(cut -f1 "$tmp/all.tsv" | sort -u); do
  range=$(awk -F'\t' -v name="$name" '$1 == name { print $4 }' "$tmp/all.tsv" | sort -g | sed -n '1p;$p' | tr '\n' ' ')
  printf '%-36s %8.2f %8.2f %8.2f %14.3f %14.3f\n' "$name" "$(median "$name" 4)" $range "$(median "$name" 2)" "$(median "$name" 3)"
done
