#!/usr/bin/env bash
# Restores the solution against the real Azure Functions, Durable Task and Service Bus packages.
# Where this machine's NuGet copy lacks the one package it does not serve,
# Microsoft.Azure.Functions.Worker.Extensions.ServiceBus, that package alone is swapped for the
# compile-time stand-in in build/offline-azure-sdk (see its README). Prints which was used and
# exports WASERVERLESS_MSBUILD_ARGS for the build and test commands that follow.
# Usage: source build/restore.sh   (from the repository root)
set -uo pipefail

wa_restore_log=$(mktemp)
wa_standin=false
if [[ "${WASERVERLESS_SERVICEBUS_EXTENSION:-auto}" == "standin" ]]; then
  wa_standin=true
elif ! dotnet restore WaServerless.sln -nologo -p:UseServiceBusExtensionStandIn=false >"$wa_restore_log" 2>&1; then
  # Only an unserved Service Bus worker extension selects the stand-in; any other failure is an error.
  # NuGet may add a line of its own under the package's ("  - Found 1 version(s) ... Nearest version"):
  # it belongs to that error, not another one.
  if grep -Eq "NU110[123].*Microsoft\.Azure\.Functions\.Worker\.Extensions\.ServiceBus" "$wa_restore_log" \
    && ! grep -E "error NU[0-9]+" "$wa_restore_log" | grep -Ev "error NU110[123]: +- " \
      | grep -vq "Microsoft\.Azure\.Functions\.Worker\.Extensions\.ServiceBus"; then
    wa_standin=true
  else
    cat "$wa_restore_log" >&2
    rm -f "$wa_restore_log"
    echo "restore failed" >&2
    return 1 2>/dev/null || exit 1
  fi
fi

if [[ $wa_standin == true ]]; then
  if ! dotnet restore WaServerless.sln -nologo -p:UseServiceBusExtensionStandIn=true >"$wa_restore_log" 2>&1; then
    cat "$wa_restore_log" >&2
    rm -f "$wa_restore_log"
    echo "restore failed (with the Service Bus extension stand-in)" >&2
    return 1 2>/dev/null || exit 1
  fi
  export WASERVERLESS_MSBUILD_ARGS="-p:UseServiceBusExtensionStandIn=true"
  echo "Azure SDK: real packages, one stand-in: Microsoft.Azure.Functions.Worker.Extensions.ServiceBus (not served by this NuGet source; build/offline-azure-sdk)"
else
  export WASERVERLESS_MSBUILD_ARGS="-p:UseServiceBusExtensionStandIn=false"
  echo "Azure SDK: real packages, no stand-in"
fi
rm -f "$wa_restore_log"
