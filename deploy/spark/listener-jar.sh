#!/usr/bin/env bash
# Print the path of the OpenLineage Spark listener jar pinned in pom.xml, resolving it from Maven
# Central into ~/.m2 on first use. Give it to Spark as `--jars` / `spark.jars`.
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
cat "$classpath_file"
