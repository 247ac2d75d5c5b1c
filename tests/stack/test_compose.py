"""docker-compose.yml holds together: settings it sets exist, services it names exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from claimdesk.core.settings import Settings

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
APP_SERVICES = ("api", "worker", "migrate", "temporal-setup")
ONE_SHOTS = ("temporal-schema", "temporal-setup", "migrate")
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    found: dict[str, dict[str, Any]] = loaded["services"]
    return found


def _interpolate(value: str) -> str:
    """Compose's `${NAME:-default}`, taking the default as a fresh `up` would."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


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


def _published(service: dict[str, Any]) -> list[tuple[int, int]]:
    pairs = []
    for mapping in service.get("ports", []):
        host, _, container = str(mapping).rpartition(":")
        pairs.append((int(host), int(container)))
    return pairs


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
    smtp_ports = {container for _, container in _published(services[str(settings.smtp_host)])}
    assert settings.smtp_port in smtp_ports


def test_the_api_listens_where_its_port_is_published(services: dict[str, dict[str, Any]]) -> None:
    env = _environment(services["api"])
    assert env["CLAIMDESK_API_HOST"] == "0.0.0.0"
    assert (8000, int(env["CLAIMDESK_API_PORT"])) in _published(services["api"])


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
    hosts = [host for service in services.values() for host, _ in _published(service)]
    assert len(hosts) == len(set(hosts))
    assert {8000, 9464, 7233, 8233, 1025, 8025} <= set(hosts)


def test_temporal_setup_is_claimdesks_own_command_on_the_apps_namespace(
    services: dict[str, dict[str, Any]],
) -> None:
    """The search attributes come from claimdesk/adapters/cluster.py
    (tests/stack/test_temporal_setup.py checks the command); here: the stack runs it, on
    the cluster and namespace the apps use."""
    setup = services["temporal-setup"]
    assert setup["command"][:3] == ["claimdesk", "temporal", "setup"]
    assert setup["image"] == services["worker"]["image"] == services["api"]["image"]
    assert "build" in setup
    for name in ("worker", "api"):
        for variable in ("CLAIMDESK_TEMPORAL_ADDRESS", "CLAIMDESK_TEMPORAL_NAMESPACE"):
            assert _environment(setup)[variable] == _environment(services[name])[variable]


def test_everyone_reaches_temporal_where_it_listens(services: dict[str, dict[str, Any]]) -> None:
    temporal_ports = {container for _, container in _published(services["temporal"])}
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
    assert (9464, settings.worker_metrics_port) in _published(services["worker"])
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
    assert services["postgres"]["image"] == "postgres:18"
