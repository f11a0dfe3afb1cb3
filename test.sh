#!/usr/bin/env bash
# The whole test suite: installs Azurite (npm ci), curl and Chromium where missing (the README's examples run
# as written), restores the real Azure packages (with the one stand-in of build/offline-azure-sdk
# where this machine's NuGet copy lacks it), builds, runs every test project, and ends with one
# line "N passed, N failed" totalled over all of them.
set -uo pipefail
cd "$(dirname "$0")"

if ! npm ci --no-audit --no-fund --loglevel=error >/tmp/waserverless-npm.log 2>&1; then
  cat /tmp/waserverless-npm.log >&2
  echo "npm ci failed (Azurite is needed by the storage, queue and end-to-end tests)" >&2
  echo "0 passed, 0 failed"
  exit 1
fi

if ! command -v curl >/dev/null 2>&1; then
  { apt-get update -qq && apt-get install -y -qq curl; } >/tmp/waserverless-apt.log 2>&1 \
    || { cat /tmp/waserverless-apt.log >&2; echo "curl is needed by the README examples test" >&2; }
fi

# The portal's browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
if [[ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/tmp/waserverless-apt-chromium.log 2>&1 \
    || { cat /tmp/waserverless-apt-chromium.log >&2; echo "chromium is needed by the portal's browser tests" >&2; }
fi

# shellcheck source=build/restore.sh
source build/restore.sh || { echo "0 passed, 0 failed"; exit 1; }

# shellcheck disable=SC2086
if ! dotnet build WaServerless.sln --no-restore -nologo -v q -clp:ErrorsOnly $WASERVERLESS_MSBUILD_ARGS; then
  echo "build failed" >&2
  echo "0 passed, 0 failed"
  exit 1
fi

results=TestResults
rm -rf "$results"
# shellcheck disable=SC2086
dotnet test WaServerless.sln --no-build --no-restore -nologo $WASERVERLESS_MSBUILD_ARGS \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results"
test_rc=$?

projects=$(find tests -mindepth 2 -maxdepth 2 -name '*.Tests.csproj' | wc -l)
reports=$(find "$results" -name '*.trx' 2>/dev/null | wc -l)

sum() { # attribute name -> total over every report
  find "$results" -name '*.trx' -print0 2>/dev/null | xargs -0 -r grep -ho "<Counters [^>]*" \
    | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*" | awk '{s+=$1} END {print s+0}'
}
passed=$(sum passed)
failed=$(( $(sum failed) + $(sum error) + $(sum timeout) + $(sum aborted) ))
skipped=$(sum notExecuted)

status=0
if [[ $test_rc -ne 0 || $failed -gt 0 ]]; then status=1; fi
if [[ $passed -eq 0 ]]; then echo "no test ran" >&2; status=1; fi
if [[ $reports -lt $projects ]]; then
  echo "only $reports of $projects test projects reported results (a test host crashed?)" >&2
  failed=$(( failed + projects - reports ))
  status=1
fi
echo "Test projects: $reports of $projects reported; skipped: $skipped"
echo "$passed passed, $failed failed"
exit $status
