#!/usr/bin/env bash
# Our cache beside Microsoft's RedisCache and RedisOutputCacheStore (benchmarks/RedisAutoExpiry.Peers), on one
# redis-server and one multiplexer, as in an app that has both. Usage: benchmarks/peers.sh [runs] [-- options]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
[ "${1:-}" = "--" ] && shift
dotnet build benchmarks/RedisAutoExpiry.Peers -c Release -v q -nologo >/dev/null
for run in $(seq 1 "$runs"); do
  echo "== run $run of $runs"
  dotnet benchmarks/RedisAutoExpiry.Peers/bin/Release/net10.0/RedisAutoExpiry.Peers.dll "$@"
done
