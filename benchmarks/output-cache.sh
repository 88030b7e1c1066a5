#!/usr/bin/env bash
# Output cache throughput with wrk: our [CacheFor] on Redis against the framework's in-memory output cache store
# (the baseline, same process layout, same action and body), and the same action with no cache, in one run.
#   bash benchmarks/output-cache.sh [runs=5] [seconds=5] [connections=64]
# Prints each run and the medians; ratios are to the in-memory store's hits. Also the CPU time the serving process
# (plus redis-server, for our cases) spent per request: on a shared VM whose speed drifts, a steadier figure.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}; seconds=${2:-5}; connections=${3:-64}

source benchmarks/http-tools.sh

dir=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" &
pids+=($!)

dotnet build benchmarks/RedisAutoExpiry.Benchmarks -c Release -v q -nologo >/dev/null
bin=benchmarks/RedisAutoExpiry.Benchmarks/bin/Release/net10.0/RedisAutoExpiry.Benchmarks.dll
memory_port=$(free_port)
dotnet "$bin" output-cache-server --store memory --port "$memory_port" & pids+=($!); memory_pid=$!
ours_port=$(free_port)
dotnet "$bin" output-cache-server --store redis --port "$ours_port" --redis "127.0.0.1:$redis_port" & pids+=($!); ours_pid=$!
redis_pid=${pids[0]}
for port in "$memory_port" "$ours_port"; do
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/uncached/1" && break; sleep 0.2; done
done

# Store the entries, then read the ETag our store gave product 1 for the 304 case.
curl -fs -o /dev/null "http://127.0.0.1:$memory_port/products/1"
curl -fs -o /dev/null "http://127.0.0.1:$ours_port/products/1"
etag=$(curl -fs -D - -o /dev/null "http://127.0.0.1:$ours_port/products/1" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')

ticks() { local total=0 pid; for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }

rps() { # pids url [header] -> requests/s, p99 latency, CPU microseconds per request of those processes
  local out pids=$1 before after
  before=$(ticks $pids)
  if [ -n "${3:-}" ]; then out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "$3" "$2"); else out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$2"); fi
  after=$(ticks $pids)
  if grep -q "Non-2xx or 3xx" <<<"$out"; then echo "wrk saw errors for $2" >&2; echo "$out" >&2; exit 1; fi
  local requests
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out") $(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')"
}

# Warm-up (JIT tiering, connection pools), not counted.
for url in "http://127.0.0.1:$memory_port/uncached/1" "http://127.0.0.1:$memory_port/products/1" "http://127.0.0.1:$ours_port/products/1"; do
  wrk -t2 -c"$connections" -d2s "$url" >/dev/null
done

declare -A results
cases=(uncached memory-hit redis-hit redis-304)
echo "run  uncached(req/s p99 cpu-us/req)  memory-hit  redis-hit  redis-304"
for run in $(seq 1 "$runs"); do
  results[uncached,$run]=$(rps "$memory_pid" "http://127.0.0.1:$memory_port/uncached/1")
  results[memory-hit,$run]=$(rps "$memory_pid" "http://127.0.0.1:$memory_port/products/1")
  results[redis-hit,$run]=$(rps "$ours_pid $redis_pid" "http://127.0.0.1:$ours_port/products/1")
  results[redis-304,$run]=$(rps "$ours_pid $redis_pid" "http://127.0.0.1:$ours_port/products/1" "If-None-Match: $etag")
  echo "$run  ${results[uncached,$run]}  ${results[memory-hit,$run]}  ${results[redis-hit,$run]}  ${results[redis-304,$run]}"
done

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo
echo "medians of $runs runs (${seconds}s, $connections connections, wrk -t2; server, Redis and wrk share this machine);"
echo "the ratio is the median of each run's ratio to that run's in-memory hits, which the machine's drift affects less:"
for case in "${cases[@]}"; do
  value=$(for run in $(seq 1 "$runs"); do cut -d' ' -f1 <<<"${results[$case,$run]}"; done | median)
  p99=$(for run in $(seq 1 "$runs"); do cut -d' ' -f2 <<<"${results[$case,$run]}"; done | sed 's/ms$//; s/us$/e-3/' | median)
  ratio=$(for run in $(seq 1 "$runs"); do
    awk -v a="$(cut -d' ' -f1 <<<"${results[$case,$run]}")" -v b="$(cut -d' ' -f1 <<<"${results[memory-hit,$run]}")" 'BEGIN { print a / b }'
  done | median)
  cpu=$(for run in $(seq 1 "$runs"); do cut -d' ' -f3 <<<"${results[$case,$run]}"; done | median)
  printf '%-11s %10.0f req/s   p99 %6.2f ms   %.2fx the in-memory store   %5.1f us CPU/request\n' "$case" "$value" "$p99" "$ratio" "$cpu"
done
