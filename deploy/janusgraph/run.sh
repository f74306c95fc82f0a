#!/usr/bin/env bash
# Start JanusGraph Server in the foreground from the Maven Central artifacts pinned in pom.xml.
#
#   JANUSGRAPH_STORAGE      berkeleyje: the graph on local disk (janusgraph.properties);
#                           cql: the graph in Apache Cassandra (janusgraph-cql.properties)   [berkeleyje]
#   JANUSGRAPH_DATA         where the index (Lucene) and, on berkeleyje, the graph live      [./data/janusgraph]
#   JANUSGRAPH_PORT         the port of ws://127.0.0.1:PORT/gremlin                          [8182]
#   JANUSGRAPH_FORCE_INDEX  true: a query no index answers fails instead of scanning        [true]
#   JANUSGRAPH_HEAP         the JVM's maximum heap                                          [1g]
# With JANUSGRAPH_STORAGE=cql, where Cassandra answers (deploy/cassandra/run.sh starts one):
#   JANUSGRAPH_CQL_HOST     its host                                                         [127.0.0.1]
#   JANUSGRAPH_CQL_PORT     its CQL native port                                  [$CASSANDRA_PORT or 9042]
#   JANUSGRAPH_CQL_KEYSPACE the keyspace of the graph, created on first start              [tagline]
#
# The first run resolves the artifacts into ~/.m2 (a few minutes); later runs resolve nothing and
# reuse the class path written under build/janusgraph/. The server applies schema.groovy as it
# starts, so the graph is ready for Tagline once the port answers.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${JANUSGRAPH_DATA:-./data/janusgraph}"
mkdir -p "$data"
data="$(cd "$data" && pwd)"
port="${JANUSGRAPH_PORT:-8182}"
force_index="${JANUSGRAPH_FORCE_INDEX:-true}"
heap="${JANUSGRAPH_HEAP:-1g}"
storage="${JANUSGRAPH_STORAGE:-berkeleyje}"
case "$storage" in
    berkeleyje) properties="$here/janusgraph.properties" ;;
    cql) properties="$here/janusgraph-cql.properties" ;;
    *) echo "JANUSGRAPH_STORAGE must be berkeleyje or cql, not '$storage'" >&2; exit 2 ;;
esac
cql_host="${JANUSGRAPH_CQL_HOST:-127.0.0.1}"
cql_port="${JANUSGRAPH_CQL_PORT:-${CASSANDRA_PORT:-9042}}"
cql_keyspace="${JANUSGRAPH_CQL_KEYSPACE:-tagline}"

# shellcheck source=../lib.sh
source "$here/../lib.sh"
require_java JanusGraph 17
require_maven JanusGraph
classpath_file="$root/build/janusgraph/classpath.txt"
maven_classpath JanusGraph "$here/pom.xml" "$classpath_file"

conf="$data/conf"
mkdir -p "$conf"
fill_template "$properties" "$conf/janusgraph.properties" DATA="$data" FORCE_INDEX="$force_index" \
    CQL_HOST="$cql_host" CQL_PORT="$cql_port" CQL_KEYSPACE="$cql_keyspace"
fill_template "$here/janusgraph-server.yaml" "$conf/janusgraph-server.yaml" PORT="$port" \
    PROPERTIES="$conf/janusgraph.properties" SCHEMA="$here/schema.groovy"

# The --add-opens flags TinkerPop documents for Gremlin Server on Java 17 (its serializers reach
# into these JDK packages by reflection).
exec java -Xms256m -Xmx"$heap" \
    --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
    --add-opens=java.base/java.lang=ALL-UNNAMED \
    --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
    --add-opens=java.base/java.util=ALL-UNNAMED \
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
    --add-opens=java.base/java.net=ALL-UNNAMED \
    -Dlog4j.configuration="file:$here/log4j.properties" \
    -cp "$(cat "$classpath_file")" \
    org.janusgraph.graphdb.server.JanusGraphServer "$conf/janusgraph-server.yaml"
