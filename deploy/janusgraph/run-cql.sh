#!/usr/bin/env bash
# JanusGraph Server on Apache Cassandra, both in the foreground: start Cassandra
# (deploy/cassandra/run.sh), wait for its CQL port, then run JanusGraph on it
# (deploy/janusgraph/run.sh with JANUSGRAPH_STORAGE=cql). When JanusGraph exits, or on Ctrl-C,
# Cassandra is stopped too.
#
#   CASSANDRA_DATA, CASSANDRA_PORT, CASSANDRA_STORAGE_PORT, CASSANDRA_HEAP   see deploy/cassandra/run.sh
#   JANUSGRAPH_DATA, JANUSGRAPH_PORT, JANUSGRAPH_FORCE_INDEX, JANUSGRAPH_HEAP see deploy/janusgraph/run.sh
#   CASSANDRA_START_TIMEOUT  seconds to wait for Cassandra's CQL port  [300]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${CASSANDRA_PORT:-9042}"
timeout="${CASSANDRA_START_TIMEOUT:-300}"

# Both servers run as background jobs of this shell, which waits for them: a signal reaches the
# shell's traps while it waits, and the traps stop JanusGraph first, then Cassandra.
cassandra=""
janusgraph=""
stop() {
    local pid="$1" name="$2"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        echo "stopping $name" >&2
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}
trap 'stop "$janusgraph" JanusGraph; stop "$cassandra" Cassandra' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CASSANDRA_PORT="$port" "$here/../cassandra/run.sh" &
cassandra=$!

echo "waiting for Cassandra on 127.0.0.1:$port" >&2
deadline=$((SECONDS + timeout))
until (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$cassandra" 2>/dev/null; then
        wait "$cassandra" && status=0 || status=$?
        cassandra=""
        echo "Cassandra exited with $status before its CQL port answered" >&2
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        echo "Cassandra's CQL port 127.0.0.1:$port did not answer within $timeout s" >&2
        exit 1
    fi
    sleep 1
done
echo "Cassandra answers on 127.0.0.1:$port; starting JanusGraph on it" >&2

JANUSGRAPH_STORAGE=cql JANUSGRAPH_CQL_PORT="$port" "$here/run.sh" &
janusgraph=$!
wait "$janusgraph" && status=0 || status=$?
janusgraph=""
echo "JanusGraph exited with $status" >&2
exit "$status"
