#!/usr/bin/env bash
# Developer entry point. Three commands, each works on a fresh Debian machine that has only the .NET SDK:
#   ./dev.sh sample      run samples/WebApi (starts a redis-server on loopback unless ConnectionStrings__Redis is set)
#   ./dev.sh test        run every test, built against StackExchange.Redis 2.7.27 and then 2.13.23 (the fixtures start their own
#                        redis-server processes)
#   ./dev.sh perf [runs] run the performance suite and write docs/performance.md (benchmarks/run-all.sh)
set -euo pipefail
cd "$(dirname "$0")"

ensure_redis_server() {
  if command -v redis-server >/dev/null 2>&1 || [ -n "${REDIS_SERVER_PATH:-}" ]; then
    return
  fi
  echo "redis-server not found: installing it from Debian's packages" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
  # Debian starts a system service on 6379 after installing; we use our own servers on free ports instead.
  $sudo systemctl stop redis-server >/dev/null 2>&1 || $sudo service redis-server stop >/dev/null 2>&1 || true
}

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    # Nothing answers on it: free to use.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

run_sample() {
  if [ -z "${ConnectionStrings__Redis:-}" ]; then
    ensure_redis_server
    local port dir
    port=$(free_port)
    dir=$(mktemp -d)
    # Expired and evicted events on, so the sample's tag sets are cleaned as entries expire (see docs/tags.md).
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --notify-keyspace-events Exe
    trap 'kill "$(cat "'"$dir"'/redis.pid")" 2>/dev/null || true; rm -rf "'"$dir"'"' EXIT
    export ConnectionStrings__Redis="127.0.0.1:$port"
    echo "Started redis-server on 127.0.0.1:$port (stopped when the sample exits)" >&2
  fi
  export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
  echo "Sample listening on $ASPNETCORE_URLS" >&2
  dotnet run --project samples/WebApi -c Release
}

run_tests() {
  ensure_redis_server || { echo "0 passed, 1 failed"; return 1; }
  local results status=0
  results=$(mktemp -d)
  # The package takes StackExchange.Redis [2.7.27,3.0) (Directory.Packages.props): the suite runs built against the
  # floor, then against the newest 2.x the registry serves. TEST_CLIENTS picks the versions ("range" is the floor).
  local client
  for client in ${TEST_CLIENTS:-range 2.13.23}; do
    echo "== tests against StackExchange.Redis $client" >&2
    local version=()
    [ "$client" = range ] || version=(-p:StackExchangeRedisVersion="$client")
    dotnet test Middleware.sln -c Release "${version[@]}" --logger "trx;LogFilePrefix=results-$client" \
      --results-directory "$results" || status=$?
  done
  # One line with the run's totals, summed over every test project's TRX report. Tests that errored, timed out or
  # were aborted count as failed; a run that failed without any counted failure (a build error, a crashed test host)
  # reports one.
  local passed=0 failed=0 trx counters value
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" || true)
    value=$(sed -nE 's/.* passed="([0-9]+)".*/\1/p' <<<"$counters"); passed=$((passed + ${value:-0}))
    for field in failed error timeout aborted; do
      value=$(sed -nE "s/.* $field=\"([0-9]+)\".*/\1/p" <<<"$counters"); failed=$((failed + ${value:-0}))
    done
  done
  # The fuzz run's seed and case count (tests/RedisAutoExpiry.Tests/Safety/BadInputFuzzTests.cs), from its output.
  grep -ohE 'fuzz: seed [^<&]*' "$results"/*.trx 2>/dev/null | sort -u || true
  rm -rf "$results"
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
  fi
  if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then
    status=1
  fi
  if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
    echo "no test ran" >&2
    status=1
    failed=1
  fi
  echo "$passed passed, $failed failed"
  return "$status"
}

case "${1:-}" in
  sample) run_sample ;;
  test) run_tests ;;
  perf) shift; exec bash benchmarks/run-all.sh "$@" ;;
  *) echo "usage: ./dev.sh sample | ./dev.sh test | ./dev.sh perf [runs]" >&2; exit 2 ;;
esac
