#!/usr/bin/env bash
# Print the jars pinned in pom.xml (the OpenLineage Spark listener, and kafka-clients for its kafka
# transport), comma-separated as `--jars` / `spark.jars` take them, resolving them from Maven
# Central into ~/.m2 on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command -v mvn >/dev/null || { echo "the Spark listener is resolved with Maven (mvn not found)" >&2; exit 2; }
classpath_file="$root/build/spark/classpath.txt"
if [[ ! -s "$classpath_file" || "$here/pom.xml" -nt "$classpath_file" ]]; then
    mkdir -p "$(dirname "$classpath_file")"
    echo "resolving the OpenLineage Spark listener from Maven Central into ~/.m2 (first run only)" >&2
    mvn -q -B -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$classpath_file.tmp" >&2
    mv "$classpath_file.tmp" "$classpath_file"
fi
tr ':' ',' < "$classpath_file"
