#!/usr/bin/env bash
# Installs the Debian tools the test suite uses, when they are missing: GNU parallel (the test that runs an experiment's
# jobs.txt through it) and graphviz (the test that renders an autograd graph's DOT to SVG). Called by .ci/run, and by the
# tests themselves on a machine where a tool is missing.
set -euo pipefail
need=()
command -v parallel >/dev/null 2>&1 || need+=(parallel)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get install -y -q "${need[@]}" >/dev/null 2>&1 \
  || { "${sudo[@]}" apt-get update -q >/dev/null 2>&1 && "${sudo[@]}" apt-get install -y -q "${need[@]}" >/dev/null; }
command -v parallel >/dev/null 2>&1 && command -v dot >/dev/null 2>&1 || { echo "install-test-deps: could not install ${need[*]} (apt-get install -y ${need[*]})" >&2; exit 1; }
