#!/usr/bin/env bash
# The whole performance suite in one command, then docs/performance.md written from its results:
#   ./dev.sh perf [runs=3]        (the same as: bash benchmarks/run-all.sh [runs=3])
# Installs redis-server and wrk from Debian's packages when missing. Every benchmark starts its own redis-server on
# a free loopback port and stops it. About 20 minutes with 3 runs on 2 cores; QUICK=1 runs each part once, briefly,
# to check the pipeline (its figures mean nothing). Results stay in benchmarks/results/<time>/ (not committed).
# REDIS_SERVER_PATH runs it against another server binary (e.g. /usr/bin/valkey-server), as the tests' fixture does;
# REPORT names the page to write instead of docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}

missing=()
[ -n "${REDIS_SERVER_PATH:-}" ] || command -v redis-server >/dev/null || missing+=(redis-server)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian's packages" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts a system service on 6379 after installing; the benchmarks use their own servers on free ports.
  $sudo systemctl stop redis-server >/dev/null 2>&1 || $sudo service redis-server stop >/dev/null 2>&1 || true
fi

if [ "${QUICK:-0}" = 1 ]; then
  runs=1; bdn_job=(--job dry); members=10000; http=(1 1 64); side_rounds=5
else
  bdn_job=(); members=100000; http=(5 2 64); side_rounds=41
fi

# The share of CPU time the hypervisor gave to other guests (steal, from /proc/stat): on a shared VM it is what makes
# figures drift, so the report states it.
stolen() { awk '/^cpu / {print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
read -r steal_start total_start < <(stolen)

results=benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$results"
dotnet build benchmarks/RedisAutoExpiry.Benchmarks -c Release -v q -nologo >/dev/null
bin=benchmarks/RedisAutoExpiry.Benchmarks/bin/Release/net10.0/RedisAutoExpiry.Benchmarks.dll

{
  echo "measured $(date -u '+%Y-%m-%d %H:%M UTC'), $runs runs"
  echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; memory $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo ".NET SDK $(dotnet --version), runtime $(dotnet --list-runtimes | awk '/NETCore.App/ {v = $2} END {print v}')"
  echo "$("${REDIS_SERVER_PATH:-redis-server}" --version | cut -d' ' -f1-3), loopback, no persistence"
  deps=${bin%.dll}.deps.json
  echo "$(grep -o '"StackExchange.Redis/[0-9.]*"' "$deps" | head -1 | tr -d '"' | tr / ' '), $(grep -o '"BenchmarkDotNet/[0-9.]*"' "$deps" | head -1 | tr -d '"' | tr / ' '), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
} >"$results/machine.txt"
cat "$results/machine.txt"

step() { echo; echo "== $*"; }
for run in $(seq 1 "$runs"); do
  step "BenchmarkDotNet, P1-P4, run $run of $runs"
  dotnet "$bin" --filter '*GetThroughputBenchmarks*' '*SlidingGet*' '*SetWithTagsBenchmarks*' '*GetAllocationBenchmarks*' \
    "${bdn_job[@]}" --exporters json --artifacts "$results/bdn/run-$run" | grep -E '^\|' || true
done

step "P1-P3 side by side: baseline and cache in alternating rounds in one process"
dotnet "$bin" side-by-side --rounds "$side_rounds" --milliseconds 150 --json "$results/side-by-side.json"
step "scaling: 1/8/64/256 callers, 100 B to 1 MiB"
dotnet "$bin" scaling --rounds "$((runs < 3 ? 1 : runs))" --json "$results/scaling.json"
step "P6: tag eviction"
dotnet "$bin" tag-eviction --library-only --runs "$runs" --members "$members" --json "$results/tag-eviction.json" | grep -v '^run ' || true
step "P7: memory per entry"
dotnet "$bin" tag-memory --runs "$runs" --entries "$members" --json "$results/tag-memory.json"
step "P8: tag sets after expiry"
dotnet "$bin" tag-hygiene --runs "$runs" --entries "$members" --json "$results/tag-hygiene.json" || true
step "P5: HTTP hits with wrk"
RESULTS="$results/output-cache.txt" bash benchmarks/output-cache.sh "${http[@]}"

read -r steal_end total_end < <(stolen)
echo "CPU time stolen by the hypervisor during the run: $(( 100 * (steal_end - steal_start) / (total_end - total_start + 1) ))% (steal in /proc/stat)" >>"$results/machine.txt"

step "report"
dotnet "$bin" report "$results" "${REPORT:-docs/performance.md}" benchmarks/performance-notes.md
