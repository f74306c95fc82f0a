"""docker-compose.yml is valid under the Compose specification and starts things in a safe order."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"


def _load_yaml(path: Path) -> dict[str, Any]:
    from ruamel.yaml import YAML  # installed with check-jsonschema

    return YAML(typ="safe", pure=True).load(path.read_text())


def _check_jsonschema() -> str:
    beside_python = Path(sys.executable).parent / "check-jsonschema"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("check-jsonschema")
    if found:
        return found
    pytest.fail(
        "check-jsonschema is not installed: it is needed to validate docker-compose.yml against the "
        "Compose specification. Install the test extras (pip install -e '.[test]')."
    )


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    assert COMPOSE_FILE.exists(), f"{COMPOSE_FILE} is missing"
    return _load_yaml(COMPOSE_FILE)


def test_compose_file_matches_the_compose_spec() -> None:
    result = subprocess.run(
        [_check_jsonschema(), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"docker-compose.yml does not validate against the Compose specification:\n{result.stdout}\n{result.stderr}"
    )


def test_tagline_talks_to_janusgraph_over_websocket(compose: dict[str, Any]) -> None:
    env = compose["services"]["tagline"].get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    store = str(env.get("TAGLINE_STORE", ""))
    assert store.startswith(("ws://", "wss://")), f"TAGLINE_STORE should be a Gremlin Server URL, got {store!r}"
    host = store.split("://", 1)[1].split(":", 1)[0].split("/", 1)[0]
    assert host in compose["services"], f"TAGLINE_STORE points at {host!r}, which is not a service"


def _has_healthcheck(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck")
    return bool(check) and not check.get("disable", False) and check.get("test") not in (None, ["NONE"])


def _is_one_shot(service: dict[str, Any]) -> bool:
    return str(service.get("restart", "no")) == "no"


def test_every_dependency_waits_for_health_or_completion(compose: dict[str, Any]) -> None:
    services = compose["services"]
    checked = 0
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), (
            f"{name}: depends_on must use the long form with a condition, not a plain list"
        )
        for dependency, spec in depends_on.items():
            assert dependency in services, f"{name} depends on {dependency!r}, which is not a service"
            condition = (spec or {}).get("condition")
            target = services[dependency]
            if condition == "service_healthy":
                assert _has_healthcheck(target), (
                    f"{name} waits for {dependency} to be healthy, but it has no healthcheck"
                )
            elif condition == "service_completed_successfully":
                assert _is_one_shot(target), f"{name} waits for {dependency} to finish, but it restarts"
            else:
                pytest.fail(f"{name} -> {dependency}: condition {condition!r} does not wait for health or completion")
            checked += 1
    assert checked, "no service declares depends_on"


def test_long_running_services_have_healthchecks(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if not _is_one_shot(service):
            assert _has_healthcheck(service), f"{name} runs continuously but has no healthcheck"


def test_schema_script_is_mounted_into_the_one_shot_service(compose: dict[str, Any]) -> None:
    schema = compose["services"]["janusgraph-schema"]
    mounts = [str(v).split(":", 1)[0] for v in schema.get("volumes", [])]
    assert "./deploy/janusgraph/schema.groovy" in mounts
    assert (ROOT / "deploy" / "janusgraph" / "schema.groovy").exists()
    assert "schema.groovy" in " ".join(schema["command"])


def _pom_property(pom: str, name: str) -> str:
    match = re.search(rf"<{re.escape(name)}>([^<]+)</{re.escape(name)}>", (ROOT / pom).read_text())
    assert match, f"{pom} has no <{name}>"
    return match.group(1)


def _tag(service: dict[str, Any]) -> str:
    return str(service["image"]).rsplit(":", 1)[1]


def test_compose_runs_the_engines_the_tests_run(compose: dict[str, Any]) -> None:
    services = compose["services"]
    cassandra = _pom_property("deploy/cassandra/pom.xml", "cassandra.version")
    assert cassandra.startswith(_tag(services["cassandra"]) + "."), (
        f"compose runs cassandra:{_tag(services['cassandra'])}, the tests Cassandra {cassandra} (deploy/cassandra/pom.xml)"
    )
    janusgraph = _pom_property("deploy/janusgraph/pom.xml", "janusgraph.version")
    for name in ("janusgraph", "janusgraph-schema"):
        assert _tag(services[name]) == janusgraph, (
            f"{name} runs {services[name]['image']}, the tests JanusGraph {janusgraph}"
        )
        env = services[name]["environment"]
        assert env["janusgraph.index.search.backend"] == "lucene", f"{name}: the tests index with Lucene"
    assert "lucene" in (ROOT / "deploy/janusgraph/janusgraph-cql.properties").read_text()
