#!/usr/bin/env bash
# A/B of the output cache hit path between two builds, steadier than output-cache.sh on a VM whose speed drifts: the
# in-memory store (baseline), the base commit's [CacheFor] on Redis and the working tree's, interleaved round by round,
# each measured as requests/s and as the CPU time its process spent per request (read from /proc).
#   bash benchmarks/output-cache-ab.sh [base=HEAD~1] [rounds=6] [seconds=4] [connections=64]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-HEAD~1}; rounds=${2:-6}; seconds=${3:-4}; connections=${4:-64}

source benchmarks/http-tools.sh

dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  git worktree remove --force "$dir/base" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

git worktree add -q --detach "$dir/base" "$base"
dotnet build "$dir/base/benchmarks/RedisAutoExpiry.Benchmarks" -c Release -v q -nologo >/dev/null
dotnet build benchmarks/RedisAutoExpiry.Benchmarks -c Release -v q -nologo >/dev/null
bin=bin/Release/net10.0/RedisAutoExpiry.Benchmarks.dll
current="benchmarks/RedisAutoExpiry.Benchmarks/$bin"
previous="$dir/base/benchmarks/RedisAutoExpiry.Benchmarks/$bin"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" &
pids+=($!)
declare -A port pid
start() { # name dll store
  port[$1]=$(free_port)
  dotnet "$2" output-cache-server --store "$3" --port "${port[$1]}" --redis "127.0.0.1:$redis_port" & pids+=($!); pid[$1]=$!
}
start memory "$current" memory
start base "$previous" redis
start current "$current" redis
names=(memory base current)
for name in "${names[@]}"; do
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:${port[$name]}/products/1" && break; sleep 0.2; done
  curl -fs -o /dev/null "http://127.0.0.1:${port[$name]}/products/1"
  # Long enough for JIT tiering to settle (see output-cache.sh). WARMUP=seconds per server.
  wrk -t2 -c"$connections" -d"${WARMUP:-40}s" "http://127.0.0.1:${port[$name]}/products/1" >/dev/null
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
declare -A rps cpu
echo "round  memory(req/s cpu-us/req)  base  current    (base: $(git rev-parse --short "$base"))"
for round in $(seq 1 "$rounds"); do
  line="$round"
  for name in "${names[@]}"; do
    before=$(ticks "${pid[$name]}")
    out=$(wrk -t2 -c"$connections" -d"${seconds}s" "http://127.0.0.1:${port[$name]}/products/1")
    after=$(ticks "${pid[$name]}")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps[$name,$round]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    cpu[$name,$round]=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
    line="$line  ${rps[$name,$round]} ${cpu[$name,$round]}"
  done
  echo "$line"
done

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo
echo "medians of $rounds rounds (${seconds}s each, $connections connections); ratios are per round, to that round's in-memory hits:"
for name in "${names[@]}"; do
  ratio=$(for round in $(seq 1 "$rounds"); do awk -v a="${rps[$name,$round]}" -v b="${rps[memory,$round]}" 'BEGIN { print a / b }'; done | median)
  cost=$(for round in $(seq 1 "$rounds"); do echo "${cpu[$name,$round]}"; done | median)
  printf '%-8s %.2fx the in-memory store   %5.1f us CPU/request (app process only)\n' "$name" "$ratio" "$cost"
done
