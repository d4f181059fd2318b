#!/usr/bin/env bash
# Regenerates the README's sample output from a real run: the summary that `mininet compare` prints (redirected, so plain
# and 80 columns wide) replaces the block between <!-- sample: compare --> and <!-- /sample --> in README.md.
#   tools/readme-samples.sh        (about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Lab -v q -nologo >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
dotnet src/Lab/bin/Debug/net10.0/mininet.dll compare --out "$out/run" > "$out/stdout.txt"
# the summary: from the table's header line to the "Beside it" line, with the run folder shown as the README's placeholder
sed -n '/^clipper  /,/^Beside it:/p' "$out/stdout.txt" | sed "s|$out/run|runs/compare-<time>|" > "$out/sample.txt"
[ -s "$out/sample.txt" ] || { echo "readme-samples: no summary found in the output of mininet compare" >&2; exit 1; }
/usr/bin/env python3 - "$out/sample.txt" <<'PY'
import re, sys
sample = open(sys.argv[1], encoding="utf-8").read().rstrip("\n")
readme = open("README.md", encoding="utf-8").read()
block = "<!-- sample: compare -->\n```\n" + sample + "\n```\n<!-- /sample -->"
new, n = re.subn(r"<!-- sample: compare -->.*?<!-- /sample -->", lambda m: block, readme, flags=re.S)
if n != 1:
    sys.exit("readme-samples: README.md has no <!-- sample: compare --> … <!-- /sample --> block")
open("README.md", "w", encoding="utf-8").write(new)
PY
echo "readme-samples: README.md updated from a real run of mininet compare"
