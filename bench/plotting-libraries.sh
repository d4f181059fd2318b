#!/usr/bin/env bash
# Measures ScottPlot 5.1.59, Plotly.NET 6.0.0 (through Plotly.NET.CSharp 0.14.0) and OxyPlot 2.2.0 against MiniNet's
# hand-written SVG for a three-run loss chart of 5,000 and 1,000,000 steps: page size, render time, whether two renders
# are identical, whether the page works offline. Writes the pages to OUT for a look (default /tmp/mininet-plotting).
# The packages are restored only here, never by dotnet test. docs/plotting.md has the results and the decision.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/mininet-plotting}"
dotnet run -c Release --project bench/PlottingLibraries -- "$out"
