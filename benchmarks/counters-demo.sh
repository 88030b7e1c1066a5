#!/usr/bin/env bash
# The meter's figures as dotnet-counters shows them (docs/observability.md): the sample under wrk load on three product
# URLs, with one tag eviction a second, read for a few seconds by benchmarks/RedisAutoExpiry.Counters (a stand-in that
# opens the same EventPipe session as `dotnet-counters monitor --counters RedisAutoExpiry`), then /health.
#   bash benchmarks/counters-demo.sh [seconds=5] [connections=64]
# Loopback only; starts its own redis-server and sample on free ports and stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}; connections=${2:-64}
source benchmarks/http-tools.sh

dir=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" \
  --notify-keyspace-events Exe &
pids+=($!)

dotnet build samples/WebApi -c Release -v q -nologo >/dev/null
dotnet build benchmarks/RedisAutoExpiry.Counters -c Release -v q -nologo >/dev/null
app_port=$(free_port)
ConnectionStrings__Redis="127.0.0.1:$redis_port" ASPNETCORE_URLS="http://127.0.0.1:$app_port" Cache__AdminApiKey=demo-key \
  Logging__LogLevel__Default=Warning dotnet samples/WebApi/bin/Release/net10.0/WebApi.dll >"$dir/app.log" 2>&1 &
app_pid=$!; pids+=($app_pid)
base="http://127.0.0.1:$app_port"
for _ in $(seq 1 100); do curl -fs -o /dev/null "$base/health" && break; sleep 0.2; done

cat >"$dir/urls.lua" <<'LUA'
local paths = { "/products/1", "/products", "/products/2" }
local i = 0
request = function() i = i + 1; return wrk.format("GET", paths[i % #paths + 1]) end
LUA
wrk -t2 -c"$connections" -d"$((seconds + 3))s" -s "$dir/urls.lua" "$base" >"$dir/wrk.txt" &
wrk_pid=$!
( while kill -0 "$wrk_pid" 2>/dev/null; do
    curl -fs -o /dev/null -X DELETE -H "X-Api-Key: demo-key" "$base/cache/tags/product:2" || true; sleep 1
  done ) &
pids+=($!)
sleep 2
dotnet benchmarks/RedisAutoExpiry.Counters/bin/Release/net10.0/RedisAutoExpiry.Counters.dll "$app_pid" "$seconds"
wait "$wrk_pid"
echo
grep -E "Requests/sec|requests in" "$dir/wrk.txt"
echo
echo "\$ curl -sS $base/health"
curl -sS "$base/health" | python3 -m json.tool --indent 2 2>/dev/null || curl -sS "$base/health"
