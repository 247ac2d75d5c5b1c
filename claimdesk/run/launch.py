"""Child processes for the dev stack, the bench and the fault tests: start, readiness, stop."""

from __future__ import annotations

import asyncio
import ctypes
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"
READY_TIMEOUT = 90.0
_PR_SET_PDEATHSIG = 1

# Looked up here, not in the child: between fork and exec, with other threads possibly
# holding the loader's lock, the child should only call it.
_prctl = ctypes.CDLL(None).prctl if sys.platform == "linux" else None


class StackError(Exception):
    """The stack cannot start; the message says why and what to do."""


def free_port() -> int:
    """A port on the loopback interface that nothing listens on now, picked by the OS."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """Runs in the child before exec: if its parent is killed outright, it gets SIGTERM."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Child:
    """A child process, its output appended to `log_path`, that dies with its parent.

    It runs in its own session, so a Ctrl-C meant for the parent does not reach it: the
    parent stops its children itself, in its own order. Linux signals a child when the
    *thread* that started it ends, so start children from the event loop's thread. A
    stopped child can be started again.
    """

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        log_path: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.log_path = log_path
        self.env = None if env is None else dict(env)
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:  # the child keeps its own copy open
            self._process = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    @property
    def pid(self) -> int:
        assert self._process is not None, f"{self.name} was never started"
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL if it has not ended within `timeout` seconds."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing flushed, open connections cut mid-way."""
        assert self._process is not None, f"{self.name} was never started"
        self._process.kill()
        self._process.wait()


async def wait_until_answers(
    answers: Callable[[], Awaitable[bool]],
    what: str,
    *,
    child: Child | None = None,
    within: float = READY_TIMEOUT,
    interval: float = 0.2,
) -> None:
    """Asks `answers()` until it says yes; raises StackError if `child` ends first or
    `within` seconds pass. An exception from `answers()` means "not up yet"."""
    deadline = time.monotonic() + within
    last_error: Exception | None = None
    see = "" if child is None else f"; see {child.log_path}"
    while time.monotonic() < deadline:
        if child is not None and not child.running:
            raise StackError(f"{child.name} exited{see}")
        try:
            if await answers():
                return
        except Exception as error:  # not up yet: keep asking until the deadline
            last_error = error
        await asyncio.sleep(interval)
    reason = "" if last_error is None else f" ({last_error})"
    raise StackError(f"{what} did not answer in {within:.0f} s{reason}{see}")


async def wait_http_ok(url: str, *, child: Child | None = None) -> None:
    """Waits until `url` answers 200."""
    async with httpx.AsyncClient(timeout=2.0) as http:

        async def ok() -> bool:
            return (await http.get(url)).status_code == 200

        await wait_until_answers(ok, url, child=child)
