#!/usr/bin/env bash
# compare.sh, N times, summarized. Per workload: the median MiniNet / best-peer ratio over the runs and its range,
# MiniNet's median time and its run-to-run spread (max/min; the stability target is 1.15 or less), the best peer's
# median time, which peer that was most often and the best peer's own spread (peer_m/m: how much the machine itself
# moved between runs), PyTorch's and TorchSharp's medians, and from MiniNet's own diagnostics the median GFLOPS, share
# of the machine's FMA peak, kilobytes allocated per step, the share of the step run on all cores (cores%) and the share
# of that core time a core spent waiting for the other (wait%); then each clip workload against its memory-bandwidth bound.
# One compare.sh run takes a 15-repetition median of each side once; on a shared 2-core machine a sub-millisecond
# workload (gemm) swings by 2x between runs on either side, so a target is judged on the median of several runs.
#
# Usage (from the project root): bench/compare-repeated.sh [runs, default 5] [command that prints MiniNet's table]
#   MININET_BLAS=openblas bench/compare-repeated.sh 10      # the OpenBLAS backend
#   MININET_AVX512=0 bench/compare-repeated.sh              # MiniNet on its AVX2 path (DOTNET_EnableAVX512=0), peers unchanged
#   MININET_AVX512=0 MININET_PEERS_AVX2=1 bench/compare-repeated.sh
#       # and TorchSharp held to AVX2 as well (MKL_ENABLE_INSTRUCTIONS=AVX2, ATEN_CPU_CAPABILITY=avx2,
#       # DNNL_MAX_CPU_ISA=AVX2): what an AVX2-only machine would see. PyTorch 1.13's OpenBLAS keeps its own kernel
#       # choice (compare.sh unsets OPENBLAS_CORETYPE for it), so on an AVX-512 machine it still runs AVX-512.
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
case "${MININET_AVX512:-1}" in
  0) mininet_cmd="env DOTNET_EnableAVX512=0 $mininet_cmd" ;;
  1) ;;
  *) echo "compare-repeated.sh: MININET_AVX512 must be 0 or 1, got '$MININET_AVX512'" >&2; exit 2 ;;
esac
case "${MININET_PEERS_AVX2:-0}" in
  1) export MKL_ENABLE_INSTRUCTIONS=AVX2 ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX2
     echo "# peers: TorchSharp held to AVX2 (MKL_ENABLE_INSTRUCTIONS=AVX2 ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX2)" ;;
  0) ;;
  *) echo "compare-repeated.sh: MININET_PEERS_AVX2 must be 0 or 1, got '$MININET_PEERS_AVX2'" >&2; exit 2 ;;
esac
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for i in $(seq 1 "$runs"); do
  echo "# run $i of $runs" >&2
  # MiniNet's diagnostics (stderr: "# name GFLOP/step GFLOPS %peak KB/step cores% wait%") are kept for the summary, and shown.
  bash "$compare" "$mininet_cmd 2> >(tee -a $tmp/diagnostics.txt >&2)" > "$tmp/run.txt" || { cat "$tmp/run.txt" >&2; echo "compare-repeated.sh: run $i failed" >&2; exit 1; }
  cat "$tmp/run.txt" >&2
  # workload, mininet_ms, peer_ms, ratio, peer, torch_ms, tsharp_ms
  awk 'NR > 1 && NF >= 7 { print $1 "\t" $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 "\t" $7 }' "$tmp/run.txt" >> "$tmp/all.tsv"
done
missing=$(awk -F'\t' '$7 == "-"' "$tmp/all.tsv" | cut -f1 | sort | uniq -c | awk 'NR == 1 { print $1 }')
[ -z "$missing" ] || echo "# TorchSharp did not run in $missing of $runs runs; those runs' ratios are against PyTorch alone"
grep -hE '^# [a-z].*[0-9.]+ +[0-9.]+ +([0-9]+ %|-) +[0-9.]+( +[0-9]+ +[0-9]+)?$' "$tmp/diagnostics.txt" | sed 's/^# //; s/ %//' |
  awk '{ print $1 "\t" $3 "\t" $4 "\t" $5 "\t" (NF >= 7 ? $6 : "-") "\t" (NF >= 7 ? $7 : "-") }' > "$tmp/diag.tsv" || : > "$tmp/diag.tsv"
grep -h '^# FMA peak' "$tmp/diagnostics.txt" | sort | uniq -c | sort -rn | head -1 | sed 's/^ *[0-9]* /machine: /' || true
# The median of column $3 of the rows for workload $2 of file $1 (mawk has no sort, so sort(1) orders them); "-" when none is numeric.
median() { awk -F'\t' -v name="$2" -v column="$3" '$1 == name && $column ~ /^[0-9.]+$/ { print $column }' "$1" | sort -g |
  awk '{ value[NR] = $1 } END { if (NR == 0) print "-"; else print NR % 2 ? value[(NR + 1) / 2] : (value[NR / 2] + value[NR / 2 + 1]) / 2 }'; }
# max/min over the runs of column $2 (MiniNet's time; 3, the best peer's) for workload $1.
spread() { awk -F'\t' -v name="$1" -v column="$2" '$1 == name && $column > 0 { if (!n++ || $column < lo) lo = $column; if ($column > hi) hi = $column } END { printf "%.2f", n ? hi / lo : 0 }' "$tmp/all.tsv"; }
mostly() { awk -F'\t' -v name="$1" '$1 == name { print $5 }' "$tmp/all.tsv" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }'; }
printf '%-36s %7s %6s %6s %10s %7s %10s %-10s %8s %10s %10s %8s %6s %10s %6s %6s\n' \
  workload median min max mininet_ms max/min peer_ms peer peer_m/m torch_ms tsharp_ms GFLOPS %peak KB/step cores% wait%
for name in $(cut -f1 "$tmp/all.tsv" | sort -u); do
  range=$(awk -F'\t' -v name="$name" '$1 == name { print $4 }' "$tmp/all.tsv" | sort -g | sed -n '1p;$p' | tr '\n' ' ')
  # shellcheck disable=SC2086 # $range is the two numbers min and max
  printf '%-36s %7.2f %6.2f %6.2f %10.3f %7s %10.3f %-10s %8s %10s %10s %8s %6s %10s %6s %6s\n' "$name" "$(median "$tmp/all.tsv" "$name" 4)" $range \
    "$(median "$tmp/all.tsv" "$name" 2)" "$(spread "$name" 2)" "$(median "$tmp/all.tsv" "$name" 3)" "$(mostly "$name")" "$(spread "$name" 3)" \
    "$(median "$tmp/all.tsv" "$name" 6)" "$(median "$tmp/all.tsv" "$name" 7)" \
    "$(median "$tmp/diag.tsv" "$name" 2)" "$(median "$tmp/diag.tsv" "$name" 3)" "$(median "$tmp/diag.tsv" "$name" 4)" \
    "$(median "$tmp/diag.tsv" "$name" 5)" "$(median "$tmp/diag.tsv" "$name" 6)"
done
# The clip workloads against their memory-bandwidth bound ("# bound NAME: X ms (...); the clip takes Rx the bound").
grep -h '^# bound ' "$tmp/diagnostics.txt" | sed -E 's/^# bound ([^:]+): ([0-9.]+) ms.* takes ([0-9.]+)x the bound$/\1\t\2\t\3/' > "$tmp/bound.tsv" || : > "$tmp/bound.tsv"
for name in $(cut -f1 "$tmp/bound.tsv" | sort -u); do
  range=$(awk -F'\t' -v name="$name" '$1 == name { print $3 }' "$tmp/bound.tsv" | sort -g | sed -n '1p;$p' | tr '\n' ' ')
  # shellcheck disable=SC2086 # $range is the two numbers min and max
  printf '%-36s bandwidth bound %s ms (median); the clip at %s x the bound (median; range %s to %s)\n' "$name" \
    "$(median "$tmp/bound.tsv" "$name" 2)" "$(median "$tmp/bound.tsv" "$name" 3)" $range
done
