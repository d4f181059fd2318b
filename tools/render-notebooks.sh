#!/usr/bin/env bash
# Executes every notebook in notebooks/ in the real Jupyter kernel of .NET Interactive (not the tests' in-process kernel),
# converts each to HTML with its outputs and screenshots it in headless Chromium, so a person can look at them.
#   tools/render-notebooks.sh [OUT]      (default OUT: runs/notebooks)
# Installs what it needs when missing: Debian's jupyter-nbconvert, python3-ipykernel and chromium, and the repository's
# local .NET tool Microsoft.dotnet-interactive (dotnet-tools.json), whose C# kernel it registers with Jupyter.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/notebooks}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
need=()
command -v jupyter-nbconvert >/dev/null 2>&1 || need+=(jupyter-nbconvert python3-ipykernel)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q "${need[@]}" >/dev/null; }
fi
dotnet tool restore >/dev/null
jupyter kernelspec list 2>/dev/null | grep -q '\.net-csharp' || dotnet tool run dotnet-interactive -- jupyter install >/dev/null
dotnet build src/Interactive -v q -nologo >/dev/null   # the notebooks' mininet.csx references this build

status=0
for notebook in notebooks/*.ipynb; do
  name="$(basename "$notebook" .ipynb)"
  echo "render-notebooks: $name"
  if ! jupyter nbconvert --to html --execute --ExecutePreprocessor.timeout=600 --output-dir "$out" "$notebook" >"$out/$name.log" 2>&1; then
    echo "render-notebooks: $name failed; see $out/$name.log" >&2
    status=1
    continue
  fi
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,6000 \
    --screenshot="$out/$name.png" "file://$out/$name.html" >/dev/null 2>&1
  echo "render-notebooks: $out/$name.png"
done
exit $status
