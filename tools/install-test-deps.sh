#!/usr/bin/env bash
# Installs the Debian tools the test suite uses, when they are missing: GNU parallel (the test that runs an experiment's
# jobs.txt through it). Called by .ci/run, and by the test itself on a machine where it is missing.
set -euo pipefail
need=()
command -v parallel >/dev/null 2>&1 || need+=(parallel)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get install -y -q "${need[@]}" >/dev/null 2>&1 \
  || { "${sudo[@]}" apt-get update -q >/dev/null 2>&1 && "${sudo[@]}" apt-get install -y -q "${need[@]}" >/dev/null; }
command -v parallel >/dev/null 2>&1 || { echo "install-test-deps: could not install ${need[*]} (apt-get install -y ${need[*]})" >&2; exit 1; }
