#!/usr/bin/env bash
# Restores the solution against the real Azure Functions, Durable Task and Service Bus packages
# and, where this machine's NuGet copy lacks them, falls back to the compile-time API surface in
# build/offline-azure-sdk (see its README). Prints which it used and exports
# WASERVERLESS_MSBUILD_ARGS for the build and test commands that follow.
# Usage: source build/restore.sh   (from the repository root)
set -uo pipefail

wa_restore_log=$(mktemp)
if [[ "${WASERVERLESS_AZURE_SDK:-auto}" != "offline" ]] && dotnet restore WaServerless.sln -nologo -p:UseOfflineAzureSdk=false >"$wa_restore_log" 2>&1; then
  export WASERVERLESS_MSBUILD_ARGS="-p:UseOfflineAzureSdk=false"
  echo "Azure SDK: real packages (Microsoft.Azure.Functions.Worker, Microsoft.DurableTask, Azure.Messaging.ServiceBus)"
elif [[ "${WASERVERLESS_AZURE_SDK:-auto}" == "offline" ]] \
  || grep -Eq "NU110[123].*(Microsoft\.Azure\.Functions\.Worker|Microsoft\.DurableTask|Azure\.Messaging\.ServiceBus)" "$wa_restore_log"; then
  if ! dotnet restore WaServerless.sln -nologo -p:UseOfflineAzureSdk=true >"$wa_restore_log" 2>&1; then
    cat "$wa_restore_log" >&2
    rm -f "$wa_restore_log"
    echo "restore failed (offline API surface)" >&2
    return 1 2>/dev/null || exit 1
  fi
  export WASERVERLESS_MSBUILD_ARGS="-p:UseOfflineAzureSdk=true"
  echo "Azure SDK: offline API surface (build/offline-azure-sdk): this NuGet source lacks the Functions worker, Durable Task or Service Bus packages"
else
  cat "$wa_restore_log" >&2
  rm -f "$wa_restore_log"
  echo "restore failed" >&2
  return 1 2>/dev/null || exit 1
fi
rm -f "$wa_restore_log"
