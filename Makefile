# Two commands for a fresh clone: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
STORE ?= ./data/tagline.db
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install lock bytecode run demo test check lint schema docs graphviz bench bench-sql janusgraph janusgraph-cql cassandra kafka dbt-ol ui ui-check browser screenshots clean

# Exact versions and hashes from requirements-dev.lock (runtime, test, lint and docs tools), then Tagline
# itself without resolving anything again.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	$(MAKE) bytecode
	touch $(STAMP)

install: $(STAMP)

# The lock files, resolved again from pyproject.toml's ranges by uv (pinned in the lint tools):
# requirements.lock for the runtime (the Dockerfile), requirements-dev.lock for .venv and CI.
lock: install
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test --extra lint --extra docs --extra otel --python-version 3.11 --generate-hashes -o requirements-dev.lock

# Tagline's own bytecode, as pip writes it for every package it installs (an editable install gets
# none). Where PYTHONDONTWRITEBYTECODE is set, as in containers, every command would otherwise compile
# the rooms from source at start-up; a file edited since is compiled again until the next run of this.
bytecode:
	$(BIN)/python -m compileall -q tagline api graph ingest governance

demo: install
	$(BIN)/tagline demo --store $(STORE)

run: demo
	$(BIN)/tagline serve --store $(STORE) --host $(HOST) --port $(PORT)

# The real emitters the end-to-end tests run: PySpark (the `emitters` extra) in .venv, and dbt with
# dbt-ol in an environment of their own (deploy/dbt/requirements.txt; dbt-core's pins clash with the linters').
EMITTERS_STAMP := $(VENV)/.emitters
DBT_OL := $(VENV)/dbt-ol/.installed

$(EMITTERS_STAMP): $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[emitters]'
	touch $(EMITTERS_STAMP)

$(DBT_OL): deploy/dbt/requirements.txt
	$(PYTHON) -m venv $(VENV)/dbt-ol
	$(VENV)/dbt-ol/bin/pip install --quiet --disable-pip-version-check -r deploy/dbt/requirements.txt
	touch $(DBT_OL)

dbt-ol: $(DBT_OL)

# The bench extras (duckdb's TPC-H and TPC-DS, sqllineage): the never-silent property of the SQL
# extractor runs over TPC-H and TPC-DS in `make test` too.
BENCH_STAMP := $(VENV)/.bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[bench]'
	touch $(BENCH_STAMP)

test: install $(EMITTERS_STAMP) $(DBT_OL) $(BENCH_STAMP)
	$(BIN)/pytest

# The fast suite for the edit-test loop: everything that needs no external engine (servers and
# commands run in the test process, a few smoke tests as processes of their own) and no long run of
# many rounds, one worker per core.
check: install
	$(BIN)/pytest -m "not engine and not thorough" -n auto

# Lint, types, the rooms' import contracts, and imports as editors resolve them.
lint: install $(EMITTERS_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pyright
	$(BIN)/python -m tagline.api.gql.contract

# The GraphQL schema's committed SDL (api/gql/schema.graphql), written from the live schema; refused
# while a breaking change is not in docs/api-changelog.md (see api/gql/contract.py).
schema: install
	$(BIN)/python -m tagline.api.gql.contract --write

# The docs site in build/site: the pages made from the code (the rooms drawn from the imports, the
# GraphQL schema, the CLI's help; docs/generate.py), then MkDocs with warnings as errors.
docs: install graphviz
	$(BIN)/python docs/generate.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
	@echo "docs: open build/site/index.html"

# Debian's Graphviz, which draws the rooms for the docs (root on Debian; CI runs it).
graphviz:
	test -x /usr/bin/dot || (apt-get update && apt-get install -y graphviz)

bench: install
	$(BIN)/python bench/ingest_throughput.py
	$(BIN)/python bench/embedded_ingest.py
	$(BIN)/python bench/lineage_latency.py
	$(BIN)/python bench/governance_latency.py
	$(BIN)/python bench/propagation.py

# SQL lineage accuracy on sqllineage's own cases, TPC-H and TPC-DS as CTAS against their schemas,
# generated Hive ETL scripts against their plan, and speed against sqllineage in the same run.
CORPUS ?= ../shared/corpus/sqllineage
bench-sql: install $(BENCH_STAMP)
	$(BIN)/python bench/sql_accuracy.py --corpus $(CORPUS)
	$(BIN)/python bench/sql_tpc.py
	$(BIN)/python bench/sql_etl.py
	$(BIN)/python bench/sql_speed.py --corpus $(CORPUS)

# JanusGraph Server (BerkeleyJE + Lucene) in the foreground on ws://127.0.0.1:$(JANUSGRAPH_PORT)/gremlin,
# from the Maven Central artifacts pinned in deploy/janusgraph/pom.xml, with Tagline's schema applied.
JANUSGRAPH_DATA ?= ./data/janusgraph
JANUSGRAPH_PORT ?= 8182
janusgraph:
	JANUSGRAPH_DATA=$(JANUSGRAPH_DATA) JANUSGRAPH_PORT=$(JANUSGRAPH_PORT) deploy/janusgraph/run.sh

# JanusGraph Server on Apache Cassandra 5.0 (CQL storage, keyspace `tagline`; Lucene index under
# $(JANUSGRAPH_CQL_DATA)), both in the foreground from the Maven Central artifacts pinned in
# deploy/cassandra/pom.xml and deploy/janusgraph/pom.xml: Cassandra on 127.0.0.1:$(CASSANDRA_PORT) first,
# then ws://127.0.0.1:$(JANUSGRAPH_PORT)/gremlin once its CQL port answers. Ctrl-C stops both.
CASSANDRA_DATA ?= ./data/cassandra
CASSANDRA_PORT ?= 9042
CASSANDRA_STORAGE_PORT ?= 7000
JANUSGRAPH_CQL_DATA ?= ./data/janusgraph-cql
janusgraph-cql:
	CASSANDRA_DATA=$(CASSANDRA_DATA) CASSANDRA_PORT=$(CASSANDRA_PORT) CASSANDRA_STORAGE_PORT=$(CASSANDRA_STORAGE_PORT) \
	JANUSGRAPH_DATA=$(JANUSGRAPH_CQL_DATA) JANUSGRAPH_PORT=$(JANUSGRAPH_PORT) deploy/janusgraph/run-cql.sh

# Apache Cassandra 5.0 alone (one node) in the foreground on 127.0.0.1:$(CASSANDRA_PORT).
cassandra:
	CASSANDRA_DATA=$(CASSANDRA_DATA) CASSANDRA_PORT=$(CASSANDRA_PORT) CASSANDRA_STORAGE_PORT=$(CASSANDRA_STORAGE_PORT) \
	deploy/cassandra/run.sh

# A one-node Kafka (KRaft) in the foreground on 127.0.0.1:$(KAFKA_PORT), from the Maven Central
# artifacts pinned in deploy/kafka/pom.xml, for trying `tagline consume kafka`.
KAFKA_DATA ?= ./data/kafka
KAFKA_PORT ?= 9092
KAFKA_CONTROLLER_PORT ?= 9093
kafka:
	KAFKA_DATA=$(KAFKA_DATA) KAFKA_PORT=$(KAFKA_PORT) KAFKA_CONTROLLER_PORT=$(KAFKA_CONTROLLER_PORT) deploy/kafka/run.sh

# The explorer's bundle (api/ui/static, committed) rebuilt from ui/ with the locked npm packages:
# only for changing the explorer; `make run` serves the committed bundle without Node.js.
ui:
	cd ui && npm ci --no-audit --no-fund && npm run build

# The explorer's checks (CI runs them): its types (tsc over the JSDoc) and lint (ESLint, import cycles
# included), then a build, which must reproduce the committed bundle byte for byte.
ui-check:
	cd ui && npm ci --no-audit --no-fund && npm run check && npm run build
	@if [ -n "$$(git status --porcelain -- api/ui/static)" ]; then \
		git status --porcelain -- api/ui/static; \
		echo "ui-check: api/ui/static is not what ui/ builds: run \`make ui\` and commit api/ui/static"; \
		exit 1; \
	fi

# Debian's Chromium, which the explorer's browser tests drive (root on Debian; CI runs it).
browser:
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

# The README's pictures of the explorer, taken in Chromium from a server with the demo loaded.
screenshots: install
	$(BIN)/python -m tests.e2e.explorer_screenshots docs/screenshots

clean:
	rm -rf $(VENV) data build *.egg-info
