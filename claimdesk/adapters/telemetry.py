"""The worker's Prometheus endpoint: the Temporal SDK's own series and claimdesk's counters."""

from __future__ import annotations

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from claimdesk.core.settings import Settings

# The SDK's own series are named `temporal_…` (this prefix). Custom metrics made with
# `workflow.metric_meter()` / `activity.metric_meter()` are NOT prefixed (checked on SDK
# 1.35 with and without a prefix), so claimdesk's counters (workflows/counters.py) appear
# exactly as they are named there.
SDK_METRIC_PREFIX = "temporal_"


def metrics_address(settings: Settings) -> str:
    return f"{settings.worker_metrics_host}:{settings.worker_metrics_port}"


def metrics_url(settings: Settings) -> str:
    host = settings.worker_metrics_host
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    return f"http://{shown}:{settings.worker_metrics_port}/metrics"


def worker_runtime(settings: Settings) -> Runtime:
    """A Temporal runtime serving Prometheus text on `metrics_address(settings)`/metrics.

    The endpoint lives as long as the runtime: keep one per worker process.
    """
    return Runtime(
        telemetry=TelemetryConfig(
            metrics=PrometheusConfig(bind_address=metrics_address(settings)),
            metric_prefix=SDK_METRIC_PREFIX,
        )
    )
