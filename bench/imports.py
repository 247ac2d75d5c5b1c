"""`python -m bench.imports`: `claimdesk transactions import` of a large file, timed, with its
peak memory, on a fresh embedded PostgreSQL (first import, then the same file again)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from claimdesk.adapters.embedded import EmbeddedPostgres

HEADER = "id,merchant_id,customer_email,amount,currency,occurred_at\n"


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for n in range(rows):
            out.write(
                f"BT-{n:07d},BM-{n % 200},customer{n}@example.com,{1 + n % 9973}.{n % 100:02d},"
                f"EUR,2026-10-{1 + n % 28:02d}T10:00:00Z\n"
            )


def timed_import(path: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak resident MB of one `claimdesk transactions import` process."""
    command = [sys.executable, "-c", "from claimdesk.run.cli import app; app()"]
    command += ["transactions", "import", str(path)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.stdout is not None and process.stderr is not None
    output, errors = process.stdout.read().decode(), process.stderr.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"import failed:\n{errors}")
    print(output.strip())
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-import-") as folder:
        postgres = EmbeddedPostgres(Path(folder) / "postgres")
        try:
            env = {**os.environ, "CLAIMDESK_DATABASE_URL": postgres.ensure_database()}
            small, large = Path(folder) / "small.csv", Path(folder) / "large.csv"
            write_file(small, 1)
            timed_import(small, env)  # migrates the fresh database, outside the measure
            write_file(large, rows)
            size = large.stat().st_size / 1e6
            for what in ("first import", "same file again"):
                seconds, peak = timed_import(large, env)
                print(
                    f"{what}: {rows:,} rows ({size:.1f} MB) in {seconds:.1f} s, "
                    f"{rows / seconds:,.0f} rows/s, peak memory {peak:.0f} MB"
                )
        finally:
            postgres.close()


if __name__ == "__main__":
    main()
