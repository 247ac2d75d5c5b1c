"""The bench's outputs: the machine it ran on, the budgets, results.json, results.md, the chart."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil

from bench.load import Run
from claimdesk.adapters.embedded import temporal_cli


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _command(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def machine(postgres_version: str) -> dict[str, Any]:
    """What the figures depend on: hardware, versions, and how busy the machine was."""
    commit = _command("git", "rev-parse", "--short", "HEAD")
    if _command("git", "status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "temporalio": version("temporalio"),
        "temporal_cli": _command(str(temporal_cli()), "--version"),
        "postgresql": postgres_version,
        "commit": commit,
    }


@dataclass(frozen=True)
class Budget:
    """A figure later changes must keep: `value` must stay on the right side of `limit`."""

    name: str
    value: float
    limit: float
    at_least: bool  # True: value >= limit; False: value <= limit
    unit: str = ""

    @property
    def kept(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "limit": ("≥ " if self.at_least else "≤ ") + f"{self.limit:g}{self.unit}",
            "kept": self.kept,
        }


def budgets(results: dict[str, Any]) -> list[Budget]:
    b = results["b_open_claims"]
    history = results["e_history_events"]
    happy = next(v for k, v in history.items() if k.startswith("happy"))
    errors = sum(
        results[key]["errors"]
        for key in (
            "b_open_claims",
            "b_open_claims_alone",
            "d_merchant_response",
            "d_merchant_response_alone",
            "e_lifecycles",
        )
    )
    return [
        Budget("(c) ratio b / a (claims per second over bare starts per second)",
               results["c_ratio_b_over_a"], 0.6, at_least=True),
        Budget(f"open-claim p99 at concurrency {b['concurrency']}", b["p99_ms"], 150,
               at_least=False, unit=" ms"),
        Budget("merchant response visible in GET, p95, one response at a time",
               results["d_merchant_response_alone"]["p95_ms"], 250, at_least=False, unit=" ms"),
        Budget("history events, full happy path", happy["max"], 100, at_least=False),
        Budget("errors in (b), (d), (e)", errors, 0, at_least=False),
    ]  # fmt: skip


def extrapolate(before: dict[str, Any], after: dict[str, Any], target: int) -> dict[str, Any]:
    """Disk per open claim, and at `target` open claims (linear: each claim adds its rows)."""
    opened = after["claims_in_store"] - before["claims_in_store"]
    if opened <= 0:
        return {}
    answer: dict[str, Any] = {"target_open_claims": target}
    for key in ("database_mb", "temporal_sqlite_mb"):
        per_claim_kb = (after[key] - before[key]) * 1024 / opened
        answer[f"{key[:-3]}_kb_per_claim"] = round(per_claim_kb, 2)
        answer[key] = round(
            after[key] + per_claim_kb * (target - after["claims_in_store"]) / 1024, 1
        )
    return answer


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    a, b = results["a_ceiling"], results["b_open_claims"]
    d, e = results["d_merchant_response"], results["e_lifecycles"]
    f = results["f_open_claims"]
    lines = [
        "# claimdesk benchmark",
        "",
        f"Run {m['date']} on {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; "
        f"{m['os']}; Python {m['python']}, temporalio {m['temporalio']}, "
        f"{m['temporal_cli']}, PostgreSQL {m['postgresql']}; commit {m['commit']}.",
        f"Load average at start {results['load_average_start']}, at the end "
        f"{results['load_average_end']} (other work on the machine skews the figures). "
        f"Whole run {results['duration_s']:.0f} s. Produced by `make bench` (`bench/`).",
        "",
        "## Budgets",
        "",
        "| budget | measured | limit | kept |",
        "|---|---|---|---|",
    ]
    for budget in results["budgets"]:
        kept = "yes" if budget["kept"] else "**NO**"
        lines.append(f"| {budget['name']} | {_fmt(budget['value'])} | {budget['limit']} | {kept} |")
    lines += [
        "",
        f"For scale: the ceiling (a) itself, a bare start of an empty workflow, has a p99 of "
        f"{_fmt(a['p99_ms'])} ms at concurrency {a['concurrency']} on this machine. The "
        "response budget is judged one response at a time (the latency a merchant and the "
        "customer see); at concurrency "
        f"{d['concurrency']} its p95 is {_fmt(d['p95_ms'])} ms, which is queueing (below).",
        "",
        "## Throughput and latency",
        "",
        "| measurement | concurrency | measured ops | per second | p50 ms | p95 ms | p99 ms "
        "| max ms | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, run in (
        ("(a) ceiling: bare `start_workflow`, no-op workflow", a),
        ("(b) `POST /claims` over HTTP", b),
        ("(b) the same, one request at a time", results["b_open_claims_alone"]),
        ("(d) merchant response → visible in `GET /claims/{ref}`", d),
        ("(d) the same, one response at a time", results["d_merchant_response_alone"]),
        ("(e) full lifecycle (open, propose, accept, satisfied, closed)", e),
        ("(f) opening claims to hold open", f["run"]),
    ):
        lines.append(
            f"| {label} | {run['concurrency']} | {run['count']} | {_fmt(run['per_second'])} "
            f"| {_fmt(run['p50_ms'])} | {_fmt(run['p95_ms'])} | {_fmt(run['p99_ms'])} "
            f"| {_fmt(run['max_ms'])} | {run['errors']} |"
        )
    lines += [
        "",
        f"(c) b / a = **{results['c_ratio_b_over_a']:.2f}**. In a closed loop, latency is "
        "concurrency / throughput: the one-at-a-time row is the service time, the rest is "
        "queueing behind the slowest stage (see docs/bench/history.md). (d): "
        f"{d['visible_at_first_get'] * 100:.0f} % of responses were visible at the first GET "
        "after the POST's answer. (e): the lifecycle ends when the workflow has completed, "
        "every e-mail sent and every store write done.",
        "",
        "## History events per claim",
        "",
        "| lifecycle path | claims | min | max |",
        "|---|---|---|---|",
    ]
    for path, size in results["e_history_events"].items():
        lines.append(f"| {path} | {size['claims']} | {size['min']} | {size['max']} |")
    start, before, after = f["at_start"], f["before"], f["after"]
    lines += [
        "",
        f"## Many open claims holding their timers ({after['open_claims']:,} open at the end)",
        "",
        "At the stack's start, before (f) (after (a) to (e)), and after (f) opened "
        f"{f['run']['count']:,} more claims in {f['run']['elapsed_s']:.0f} s and the worker "
        "went idle.",
        "",
        "| | at start | before (f) | after (f) |",
        "|---|---|---|---|",
    ]
    for key, label in (
        ("open_claims", "open claims (timers pending)"),
        ("claims_in_store", "claims in the store"),
        ("mails_sent", "e-mails sent"),
        ("worker_rss_mb", "worker RSS (MB)"),
        ("api_rss_mb", "API RSS (MB)"),
        ("temporal_rss_mb", "Temporal dev server RSS (MB)"),
        ("database_mb", "PostgreSQL database (MB)"),
        ("temporal_sqlite_mb", "Temporal SQLite file + WAL (MB)"),
    ):
        lines.append(f"| {label} | {_fmt(start[key])} | {_fmt(before[key])} | {_fmt(after[key])} |")
    projected = f.get("extrapolated", {})
    if projected and after["claims_in_store"] < projected["target_open_claims"]:
        lines += [
            "",
            f"Extrapolated to {projected['target_open_claims']:,} open claims (linear in the "
            f"claims, {projected['database_kb_per_claim']} kB each in PostgreSQL and "
            f"{projected['temporal_sqlite_kb_per_claim']} kB in Temporal's SQLite): "
            f"database {projected['database_mb']} MB, SQLite {projected['temporal_sqlite_mb']} "
            "MB. The worker's memory does not grow with open claims past its workflow cache "
            "(the SDK keeps at most `max_cached_workflows`, 1 000 by default, claims in "
            "memory; an evicted claim is replayed from its history when it next moves).",
        ]
    lines += [
        "",
        f"The worker was idle again {after['worker_drained_after_s']} s after the last opening "
        "answered (its e-mails go out after the answer).",
        "",
        "![latency distributions](latency.png)",
        "",
    ]
    return "\n".join(lines)


def chart(runs: list[Run], path: Path) -> None:
    """Cumulative latency distributions, one line per measurement, on a log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 5))
    for run in runs:
        ordered = sorted(run.latencies_ms)
        if not ordered:
            continue
        share = [(i + 1) / len(ordered) for i in range(len(ordered))]
        axes.step(ordered, share, where="post", label=f"{run.name} (n={len(ordered)})")
    axes.set_xscale("log")
    axes.set_xlabel("latency (ms, log scale)")
    axes.set_ylabel("share of requests at or under")
    axes.set_title("claimdesk bench: latency distributions")
    for level in (0.5, 0.95, 0.99):
        axes.axhline(level, color="grey", linewidth=0.5, linestyle=":")
    axes.grid(True, which="both", linewidth=0.3)
    axes.legend(loc="best", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(results: dict[str, Any], runs: list[Run], directory: Path) -> str:
    """Writes results.json, results.md and latency.png; answers the Markdown."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    text = markdown(results)
    (directory / "results.md").write_text(text)
    chart(runs, directory / "latency.png")
    return text
