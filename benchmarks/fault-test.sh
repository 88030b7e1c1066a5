#!/usr/bin/env bash
# The fault test (docs/resilience.md): samples/WebApi under a fixed-rate load while its redis-server is killed and
# restarted three times and paused once. Prints each run's report and the medians over runs.
#   benchmarks/fault-test.sh [runs=3] [requests per second=1000]
# Loopback only: the tool starts its own redis-server and sample on free ports and stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
rate=${2:-1000}
command -v redis-server >/dev/null || { echo "redis-server missing: apt-get install -y redis-server" >&2; exit 1; }

dotnet build samples/WebApi -c Release -v q -nologo >/dev/null
dotnet build benchmarks/RedisAutoExpiry.FaultTest -c Release -v q -nologo >/dev/null
out=$(mktemp -d)
for run in $(seq 1 "$runs"); do
  echo "== run $run of $runs ($rate requests/s) =="
  dotnet benchmarks/RedisAutoExpiry.FaultTest/bin/Release/net10.0/RedisAutoExpiry.FaultTest.dll \
    samples/WebApi/bin/Release/net10.0/WebApi.dll "$rate" "$out/run$run" | tee "$out/run$run.txt"
done

median() { # the median of the named field over every run's RESULT line
  grep -h '^RESULT' "$out"/run*.txt | tr ' ' '\n' | grep "^$1=" | cut -d= -f2 | sort -g \
    | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

echo "== medians over $runs runs =="
echo "HTTP 5xx (and failed requests): $(median fivexx)   target 0"
echo "p99 during the outages: $(median outage_p99_ms) ms   target under origin p99 $(median origin_p99_ms) ms + 50 ms   (pause alone: $(median pause_p99_ms) ms)"
echo "seconds until the hit ratio recovers (worst outage of a run): $(median recovery_max_s)   target < 5"
echo "responses served after a successful eviction that predate it: $(median stale)   target 0"
echo "Reports, request logs and sample logs: $out"
