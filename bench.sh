#!/usr/bin/env bash
# The benchmarks: the connector's memory and CPU with idle Sandbox sessions (100 by default), then
# POST /api/send at a steady 20/s and 40/s with the connector running (p50, p99, p99.9, max),
# against an in-memory Azurite the program starts and stops itself.
# Installs Azurite (npm ci) if needed, restores, builds benchmarks/WaServerless.Benchmarks in
# Release, runs it and writes docs/benchmarks.md. A benchmark, not a test: nothing asserts on time.
# Takes about 3.5 minutes. Options go to the program, e.g. ./bench.sh --idle 120 --sessions 200
# (./bench.sh --help lists them).
set -euo pipefail
cd "$(dirname "$0")"

if [[ ! -d node_modules/azurite ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# shellcheck source=build/restore.sh
source build/restore.sh
# Restores the benchmark itself too (it may not be in the solution).
# shellcheck disable=SC2086
dotnet build benchmarks/WaServerless.Benchmarks -c Release -nologo -v q -clp:ErrorsOnly $WASERVERLESS_MSBUILD_ARGS
dotnet benchmarks/WaServerless.Benchmarks/bin/Release/net10.0/WaServerless.Benchmarks.dll "$@"
