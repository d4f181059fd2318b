#!/usr/bin/env bash
# Renders every kind of report MiniNet writes (train, compare, sweep, experiment, wall) and screenshots each in headless
# Chromium, so a person can look at them all before a change lands.
#   tools/render-reports.sh [OUT]      (default OUT: runs/rendered; PNGs and the run folders go there)
# Installs Debian's chromium when it is missing. Takes about three minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/rendered}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if ! command -v chromium >/dev/null 2>&1; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  "${sudo[@]}" apt-get install -y -q chromium >/dev/null 2>&1 || { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q chromium >/dev/null; }
fi

dotnet build src/Lab -v q -nologo >/dev/null
mininet() { dotnet src/Lab/bin/Debug/net10.0/mininet.dll "$@"; }
stamp="$(date +%Y%m%d-%H%M%S)"
declare -A page
run() { # name, then the command's arguments
  local name="$1"; shift
  local folder="$out/$name-$stamp"
  echo "render-reports: $name: mininet $* --out $folder"
  mininet "$@" --out "$folder" >"$out/$name.txt" 2>&1 || { echo "render-reports: $name failed; see $out/$name.txt" >&2; return 1; }
  page[$name]="$folder/report.html"
}

run train train --task adding --seq-len 20 --steps 1500 --clip global-norm:1
run compare compare
run compare-five compare --steps 1500 --clip none,global-norm:0.1,global-norm:1,value:0.1,autoclip:10
run sweep sweep --steps 1500 --thresholds 100,10,1,0.1
run temporal-order compare --task temporal-order --model rnn --seq-len 10 --steps 1500 --optimizer adam --lr 0.01
run experiment experiment --preset pascanu-temporal-order --quick
run wall wall --steps 50

for name in "${!page[@]}"; do
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,5200 \
    --screenshot="$out/$name.png" "file://${page[$name]}" >/dev/null 2>&1
  echo "render-reports: $out/$name.png"
done
