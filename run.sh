#!/usr/bin/env bash
# The local stack: Azurite (storage, tables, queues) and the devhost (the API on
# http://localhost:7071 and the connector with the Sandbox engine). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

if [[ ! -d node_modules/azurite || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# shellcheck source=build/restore.sh
source build/restore.sh
# shellcheck disable=SC2086
dotnet build infra/devhost/WaServerless.DevHost --no-restore -nologo -v q -clp:ErrorsOnly $WASERVERLESS_MSBUILD_ARGS

for port in 10000 10001 10002 7071; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already in use; stop whatever holds it (another ./run.sh?) and try again." >&2
    exit 1
  fi
done

mkdir -p .local/azurite
azurite=""
devhost=""
stop() { # pid, seconds: SIGTERM, then SIGKILL if it is still there
  [[ -n "$1" ]] || return 0
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 $(( $2 * 10 ))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
  trap - INT TERM EXIT
  # The devhost first, while its storage is still there; then Azurite.
  stop "$devhost" 30
  stop "$azurite" 10
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# State survives restarts in .local/azurite; delete the folder for a clean slate. Azurite runs in a
# session of its own so that Ctrl-C reaches only the devhost; cleanup stops Azurite after it.
setsid node node_modules/azurite/dist/src/azurite.js --silent --skipApiVersionCheck --loose --disableTelemetry \
  --location .local/azurite --debug .local/azurite/debug.log \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
azurite=$!
for port in 10000 10001 10002; do
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
done

# "API:" and "Demo API key:" are printed once the demo session can send.
dotnet infra/devhost/WaServerless.DevHost/bin/Debug/net10.0/WaServerless.DevHost.dll \
  --contentRoot "$root/infra/devhost/WaServerless.DevHost/bin/Debug/net10.0" \
  --DevHost:DemoKeyFile="$root/.local/demo-key.txt" \
  --DevHost:WebhookKeyFile="$root/.local/webhook-key.txt" &
devhost=$!
wait "$devhost" || true
