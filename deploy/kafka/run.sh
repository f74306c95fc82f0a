#!/usr/bin/env bash
# Start a one-node Kafka (KRaft mode) in the foreground from the Maven Central artifacts pinned in pom.xml.
#
#   KAFKA_DATA             where the broker's log and metadata live     [./data/kafka]
#   KAFKA_PORT             the port of the PLAINTEXT listener (clients) [9092]
#   KAFKA_CONTROLLER_PORT  the port of the KRaft controller listener    [9093]
#   KAFKA_HEAP             the JVM's maximum heap                       [512m]
#
# The first run resolves the artifacts into ~/.m2 and later runs reuse the class path written under
# build/kafka/. The storage is formatted (a new cluster id) the first time a data folder is used;
# a later start on the same folder keeps its topics and committed offsets.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${KAFKA_DATA:-./data/kafka}"
mkdir -p "$data"
data="$(cd "$data" && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
heap="${KAFKA_HEAP:-512m}"

# shellcheck source=../lib.sh
source "$here/../lib.sh"
require_java Kafka 17
require_maven Kafka
classpath_file="$root/build/kafka/classpath.txt"
maven_classpath Kafka "$here/pom.xml" "$classpath_file"

conf="$data/server.properties"
fill_template "$here/server.properties" "$conf" PORT="$port" CONTROLLER_PORT="$controller_port" DATA="$data"

java_cmd=(java -Xms128m -Xmx"$heap" -Dlog4j2.configurationFile="file:$here/log4j2.properties" -cp "$(cat "$classpath_file")")

if [[ ! -f "$data/logs/meta.properties" ]]; then
    cluster_id="$("${java_cmd[@]}" kafka.tools.StorageTool random-uuid)"
    "${java_cmd[@]}" kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$conf" --ignore-formatted >&2
fi

exec "${java_cmd[@]}" kafka.Kafka "$conf"
