"""Rate limits of sign-in attempts and link requests, per e-mail address and per client.

In this process's memory (`limits`' moving window): with several API processes each counts
its own, so the effective limit is that many times the setting.
"""

from __future__ import annotations

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from claimdesk.core.settings import Settings


class Throttle:
    def __init__(self, settings: Settings) -> None:
        # Parsed at start: a malformed setting stops the API instead of every sign-in.
        self._per_address = _parse("CLAIMDESK_RATE_SIGNIN", settings.rate_signin)
        self._per_client = _parse("CLAIMDESK_RATE_SIGNIN_CLIENT", settings.rate_signin_client)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def allow(self, action: str, *, address: str, client: str) -> bool:
        """Counts one `action` (sign-in, link) for the e-mail address and the client; False
        once either is over its limit."""
        allowed = True
        for limit in self._per_address:
            allowed &= await self._limiter.hit(limit, action, "address", address)
        for limit in self._per_client:
            allowed &= await self._limiter.hit(limit, action, "client", client)
        return allowed


def _parse(name: str, value: str) -> list[RateLimitItem]:
    try:
        return parse_many(value)
    except ValueError as error:
        raise ValueError(f"{name}: {error} (write it like 5/minute or 5/minute;20/hour)") from error
