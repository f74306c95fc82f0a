# Shared by the run scripts under deploy/: source it, then call what you need.
#   require_java NAME MIN_MAJOR      exit 2 with a message unless java >= MIN_MAJOR is on PATH
#   require_maven NAME               exit 2 with a message unless mvn is on PATH
#   maven_classpath NAME POM FILE    resolve POM's dependencies from Maven Central into ~/.m2 once,
#                                    writing their class path to FILE (again only when POM is newer)
#   fill_template SRC DST KEY=VALUE… copy SRC to DST with every @KEY@ replaced by VALUE, literally:
#                                    no character of VALUE (| & \ / newline) is special

require_java() {
    local name="$1" min="$2" version major
    command -v java >/dev/null || { echo "$name needs Java >= $min (java not found on PATH)" >&2; exit 2; }
    # `java -version` prints e.g.: openjdk version "17.0.15" 2025-04-15 (or "1.8.0_392" before Java 9).
    version="$(java -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n1)"
    major="${version%%.*}"
    [[ "$major" == 1 ]] && major="$(cut -d. -f2 <<<"$version")"
    if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < min)); then
        echo "$name needs Java >= $min; 'java' on PATH is version '${version:-unknown}' (set PATH or JAVA_HOME's bin first)" >&2
        exit 2
    fi
}

require_maven() {
    command -v mvn >/dev/null || { echo "$1 is resolved from Maven Central with Maven (mvn not found on PATH)" >&2; exit 2; }
}

maven_classpath() {
    local name="$1" pom="$2" file="$3"
    if [[ ! -s "$file" || "$pom" -nt "$file" ]]; then
        mkdir -p "$(dirname "$file")"
        echo "resolving $name from Maven Central into ~/.m2 (first run only)" >&2
        mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$file.tmp" >&2
        mv "$file.tmp" "$file"
    fi
}

fill_template() {
    local src="$1" dst="$2" text pair key value
    shift 2
    # Bash 5.2 would read & in a replacement as the matched text; values are taken literally.
    shopt -u patsub_replacement 2>/dev/null || true
    text="$(<"$src")"
    for pair in "$@"; do
        key="${pair%%=*}"
        value="${pair#*=}"
        text="${text//"@$key@"/"$value"}"
    done
    printf '%s\n' "$text" >"$dst"
}
