#!/usr/bin/env bash
# Print the jars pinned in pom.xml (the OpenLineage Spark listener, and kafka-clients for its kafka
# transport), comma-separated as `--jars` / `spark.jars` take them, resolving them from Maven
# Central into ~/.m2 on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
require_maven "The OpenLineage Spark listener"
classpath_file="$root/build/spark/classpath.txt"
maven_classpath "the OpenLineage Spark listener" "$here/pom.xml" "$classpath_file"
tr ':' ',' < "$classpath_file"
