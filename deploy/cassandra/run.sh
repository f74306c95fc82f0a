#!/usr/bin/env bash
# Start a one-node Apache Cassandra in the foreground from the Maven Central artifacts pinned in pom.xml.
#
#   CASSANDRA_DATA          where data, commit log, hints and saved caches live  [./data/cassandra]
#   CASSANDRA_PORT          the CQL native transport port on 127.0.0.1           [9042]
#   CASSANDRA_STORAGE_PORT  the inter-node (gossip) port on 127.0.0.1            [7000]
#   CASSANDRA_HEAP          the JVM's maximum heap                               [1g]
#
# The first run resolves the artifacts into ~/.m2 and later runs reuse the class path written under
# build/cassandra/. Cassandra is ready when its native port accepts connections.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${CASSANDRA_DATA:-./data/cassandra}"
mkdir -p "$data"
data="$(cd "$data" && pwd)"
port="${CASSANDRA_PORT:-9042}"
storage_port="${CASSANDRA_STORAGE_PORT:-7000}"
heap="${CASSANDRA_HEAP:-1g}"

# shellcheck source=../lib.sh
source "$here/../lib.sh"
require_java Cassandra 17
require_maven Cassandra
classpath_file="$root/build/cassandra/classpath.txt"
maven_classpath Cassandra "$here/pom.xml" "$classpath_file"
classpath="$(cat "$classpath_file")"
# Cassandra measures the size of what it keeps in memory with jamm, loaded as an agent
# (bin/cassandra does the same from lib/).
jamm="$(tr ':' '\n' <<<"$classpath" | grep '/jamm-[^/]*\.jar$' | head -n1)"

conf="$data/conf"
mkdir -p "$conf" "$data/triggers"
fill_template "$here/cassandra.yaml" "$conf/cassandra.yaml" DATA="$data" PORT="$port" STORAGE_PORT="$storage_port"

# Heap, then the general flags of Cassandra 5.0's conf/jvm-server.options, then its
# conf/jvm17-server.options for Java 17 (G1, and the --add-exports/--add-opens the server needs),
# then what bin/cassandra passes: the configuration, the storage directory and the foreground.
# No JMX port is opened (neither cassandra.jmx.local.port nor cassandra.jmx.remote.port is set).
exec java -Xms512m -Xmx"$heap" \
    -ea -da:net.openhft... \
    -XX:+UseThreadPriorities \
    -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath="$data" -XX:+ExitOnOutOfMemoryError \
    -Xss256k \
    -XX:+UseTLAB -XX:+ResizeTLAB \
    -XX:+PerfDisableSharedMem \
    -Djava.net.preferIPv4Stack=true \
    -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 -XX:G1HeapRegionSize=16m \
    -XX:G1RSetUpdatingPauseTimePercent=5 -XX:MaxGCPauseMillis=300 -XX:InitiatingHeapOccupancyPercent=70 \
    -Djdk.attach.allowAttachSelf=true \
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
    --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED \
    --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED \
    --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED \
    --add-exports java.sql/java.sql=ALL-UNNAMED \
    --add-exports java.base/java.lang.ref=ALL-UNNAMED \
    --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED \
    --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
    --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED \
    --add-opens java.base/java.lang.module=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.loader=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.math=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.module=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED \
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.base/java.io=ALL-UNNAMED \
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED \
    --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED \
    --add-opens java.base/java.util=ALL-UNNAMED \
    -Dio.netty.tryReflectionSetAccessible=true \
    -Dio.netty.allocator.useCacheForAllThreads=true \
    -Dio.netty.allocator.maxOrder=11 \
    ${jamm:+-javaagent:"$jamm"} \
    -Dcassandra.config="file://$conf/cassandra.yaml" \
    -Dcassandra.storagedir="$data" \
    -Dcassandra.logdir="$data/logs" \
    -Dcassandra.triggers_dir="$data/triggers" \
    -Dcassandra-foreground=yes \
    -Dcassandra.skip_wait_for_gossip_to_settle=0 \
    -Dlogback.configurationFile="file:$here/logback.xml" \
    -cp "$classpath" \
    org.apache.cassandra.service.CassandraDaemon
