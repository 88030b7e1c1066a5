#!/usr/bin/env bash
# Output cache throughput with wrk, in one run: the same endpoint uncached, and cached by two policies on two stores.
#   output/memory    the framework's CacheOutput on its in-memory store: what an app has without us
#   output/redis     the same CacheOutput on our Redis store
#   cachefor/memory  our [CacheFor] on the framework's in-memory store
#   cachefor/redis   our [CacheFor] on our Redis store, as AddRedisAutoExpiryCache registers it; and its 304s
#   bash benchmarks/output-cache.sh [runs=5] [seconds=5] [connections=64]
# RESULTS=file also writes the medians there, one case per line: case req/s p99-ms cpu-us ratio-same-policy ratio-output/memory
# Each case's ratio is to the in-memory store under the same policy (the store alone differs), and to output/memory.
# Ratios are medians of each run's ratio, which the drift of a shared VM's speed affects less than the req/s. Also the
# CPU time the serving process (plus redis-server, for the Redis cases) spent per request, read from /proc.
# The app servers run on CPU 0 and redis-server and wrk on the others, as in a deployment where Redis and the clients
# are other machines: otherwise the load generator and Redis take CPU from the app, and the app is charged for their
# scheduling delays. PIN=0 shares all CPUs among all of them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}; seconds=${2:-5}; connections=${3:-64}

source benchmarks/http-tools.sh

app_cpus=(); others=()
if [ "${PIN:-1}" != 0 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  app_cpus=(taskset -c 0); others=(taskset -c "1-$(($(nproc) - 1))")
  layout="app servers on CPU 0; redis-server and wrk on CPUs 1-$(($(nproc) - 1))"
else
  layout="app servers, redis-server and wrk share all CPUs"
fi

dir=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

redis_port=$(free_port)
# REDIS_SERVER_PATH picks another server binary (as the tests' fixture does), e.g. /usr/bin/valkey-server.
"${others[@]}" "${REDIS_SERVER_PATH:-redis-server}" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" &
pids+=($!); redis_pid=$!

dotnet build benchmarks/RedisAutoExpiry.Benchmarks -c Release -v q -nologo >/dev/null
bin=benchmarks/RedisAutoExpiry.Benchmarks/bin/Release/net10.0/RedisAutoExpiry.Benchmarks.dll
declare -A port pid
start() { # server policy store
  port[$1]=$(free_port)
  "${app_cpus[@]}" dotnet "$bin" output-cache-server --store "$3" --policy "$2" --port "${port[$1]}" --redis "127.0.0.1:$redis_port" &
  pids+=($!); pid[$1]=$!
}
start output/memory cache-output memory
start output/redis cache-output redis
start cachefor/memory cache-for memory
start cachefor/redis cache-for redis
servers=(output/memory output/redis cachefor/memory cachefor/redis)
for server in "${servers[@]}"; do
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:${port[$server]}/uncached/1" && break; sleep 0.2; done
  curl -fs -o /dev/null "http://127.0.0.1:${port[$server]}/products/1" # stores the entry
done
etag=$(curl -fs -D - -o /dev/null "http://127.0.0.1:${port[cachefor/redis]}/products/1" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')

# case -> server, path, request header, same-policy baseline
declare -A server_of path_of header_of baseline_of
add_case() { server_of[$1]=$2; path_of[$1]=$3; header_of[$1]=$4; baseline_of[$1]=$5; cases+=("$1"); }
cases=()
add_case uncached output/memory /uncached/1 "" output/memory
add_case output/memory output/memory /products/1 "" output/memory
add_case output/redis output/redis /products/1 "" output/memory
add_case cachefor/memory cachefor/memory /products/1 "" cachefor/memory
add_case cachefor/redis cachefor/redis /products/1 "" cachefor/memory
add_case cachefor/redis-304 cachefor/redis /products/1 "If-None-Match: $etag" cachefor/memory

ticks() { local total=0 id; for id in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$id/stat"))); done; echo "$total"; }

measure() { # case -> requests/s, p99 latency, CPU microseconds per request of the server (and Redis for our store)
  local case=$1 server=${server_of[$1]} out before after requests
  local watched=${pid[$server]}
  [[ $server == */redis ]] && watched="$watched $redis_pid"
  local args=(-t2 -c"$connections" -d"${seconds}s" --latency)
  [ -n "${header_of[$case]}" ] && args+=(-H "${header_of[$case]}")
  before=$(ticks $watched)
  out=$("${others[@]}" wrk "${args[@]}" "http://127.0.0.1:${port[$server]}${path_of[$case]}")
  after=$(ticks $watched)
  if grep -q "Non-2xx or 3xx" <<<"$out"; then echo "wrk saw errors for $case" >&2; echo "$out" >&2; exit 1; fi
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out") $(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')"
}

# Warm-up (JIT tiering, connection pools), not counted. An app server on one busy CPU takes 30-40 s of load to tier
# its hot paths up (a server measured from a cold start went from 14k to 40-50k req/s over that time, 2026-12-07); a
# shorter warm-up measures the tiering as much as the cache, and this library's code (not precompiled, unlike the
# framework's) the most. WARMUP=seconds per server.
for server in "${servers[@]}"; do "${others[@]}" wrk -t2 -c"$connections" -d"${WARMUP:-40}s" "http://127.0.0.1:${port[$server]}/products/1" >/dev/null; done
"${others[@]}" wrk -t2 -c"$connections" -d2s "http://127.0.0.1:${port[output/memory]}/uncached/1" >/dev/null

declare -A results
echo "run  $(printf '%s (req/s p99 cpu-us/req)  ' "${cases[@]}")"
for run in $(seq 1 "$runs"); do
  line="$run"
  for case in "${cases[@]}"; do results[$case,$run]=$(measure "$case"); line="$line  ${results[$case,$run]}"; done
  echo "$line"
done

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
field() { cut -d' ' -f"$1" <<<"${results[$2,$3]}"; }
ratio() { # case baseline -> median of the per-run ratios of requests/s
  for run in $(seq 1 "$runs"); do awk -v a="$(field 1 "$1" "$run")" -v b="$(field 1 "$2" "$run")" 'BEGIN { print a / b }'; done | median
}
echo
echo "medians of $runs runs (${seconds}s, $connections connections, wrk -t2; $layout):"
printf '%-19s %11s %10s %12s  %-28s %s\n' case req/s p99 CPU/request "x in-memory, same policy" "x output/memory"
for case in "${cases[@]}"; do
  value=$(for run in $(seq 1 "$runs"); do field 1 "$case" "$run"; done | median)
  p99=$(for run in $(seq 1 "$runs"); do field 2 "$case" "$run"; done | sed 's/ms$//; s/us$/e-3/; s/s$/e3/' | median)
  cpu=$(for run in $(seq 1 "$runs"); do field 3 "$case" "$run"; done | median)
  same=$(ratio "$case" "${baseline_of[$case]}"); overall=$(ratio "$case" output/memory)
  printf '%-19s %11.0f %7.2f ms %9.1f us  %-28s %.2fx\n' "$case" "$value" "$p99" "$cpu" \
    "$(printf '%.2fx (%s)' "$same" "${baseline_of[$case]}")" "$overall"
  if [ -n "${RESULTS:-}" ]; then echo "$case $value $p99 $cpu $same $overall" >>"$RESULTS"; fi
done
