"""The claim's store writes: plain activities after commit, and claims recorded before that.

Part of the workflow (sandboxed with it): each write is an activity the committed history
scheduled, so the store shows only what the history holds, in its order.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

T = TypeVar("T")

# Store writes are plain activities in histories that carry this marker: what the store
# shows is then only ever what the workflow's committed history scheduled, in its order.
STORE_AFTER_COMMIT = "store-as-activity"
# Histories recorded between the two markers wrote the store from local activities, which
# run before their workflow task commits: replayed as such, and switched to plain
# activities at their first write past the history (a marker per write, see `write`).
STORE_LOCALLY = "store-as-local-activity"

# Store writes retry until they succeed: a claim never loses one.
STORE_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(minutes=1)
)
# A worker that dies mid-write is noticed within this, and the write runs again elsewhere:
# a store write takes milliseconds.
STORE_TIMEOUT = timedelta(seconds=10)
# A store write retries as a local activity for about 20 seconds (ten attempts, pausing
# 0.2, 0.4, 0.8, 1.6, 3.2, then 4 s four times), then the server takes over (STORE_RETRY).
LOCAL_STORE_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    maximum_interval=timedelta(seconds=4),
    maximum_attempts=10,
)


class StoreWriter:
    """One run's store writes, in order (the claim's lock lets one through at a time)."""

    def __init__(self) -> None:
        self._store_locally: bool | None = None  # the run's branch, decided at its first write
        self._writes = 0

    async def write(self, name: str, arg: object, result_type: type[T] | None) -> T:
        """One store write: an activity, scheduled by a committed workflow task.

        The write runs only once the workflow task that decided it is in the history, with
        the input the history holds; retries write the same thing again (every write is
        idempotent), and the claim's lock keeps one write at a time, in the history's order.
        A local activity would run before its workflow task commits: a task later thrown
        away (a worker lost, Updates aborted) would have written a state the history never
        held. Histories recorded with local writes (`STORE_LOCALLY`) replay as they ran,
        and a claim still running under them moves to plain activities at its next write.
        """
        if self._store_locally is None:  # the run's branch, decided at its first write
            self._store_locally = not workflow.patched(STORE_AFTER_COMMIT) and workflow.patched(
                STORE_LOCALLY
            )
        self._writes += 1
        if self._store_locally and workflow.patched(f"{STORE_AFTER_COMMIT}-from-{self._writes}"):
            # A run recorded with local writes, now past its history on this code: its
            # writes from here on are plain activities (`patched` answers once per id and
            # run, so each write asks under its own id).
            self._store_locally = False
        if self._store_locally:
            try:
                return await workflow.execute_local_activity(  # type: ignore[no-any-return]
                    name, arg, **_timing(result_type), retry_policy=LOCAL_STORE_RETRY
                )
            except (ActivityError, ApplicationError):  # its last attempt's error, as it was
                # The store stays out of reach: a local activity retrying for long keeps
                # its workflow task alive with three history events every few seconds,
                # while the server retries a plain activity at no cost in history.
                workflow.logger.warning("store unreachable; %s goes on as an activity", name)
        return await workflow.execute_activity(  # type: ignore[no-any-return]
            name, arg, **_timing(result_type), retry_policy=STORE_RETRY
        )


def _timing(result_type: type[Any] | None) -> dict[str, Any]:
    """What a store write's activity is told, local or not, besides how it retries."""
    return {"result_type": result_type, "start_to_close_timeout": STORE_TIMEOUT}
