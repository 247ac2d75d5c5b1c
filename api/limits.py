"""Rate limits: openings, actions, messages and sign-in, each per API key and per client
address, counted in this API process's memory by the `limits` library (a moving window).

A request over a limit is answered 429 with `Retry-After` before its route does anything:
it changes nothing, and does not count against the other limit it was checked with.
The web claim center's forms count against the same limits (`count_request`): a person's
web account id stands for the key, and a 429 is a page there (api/web/__init__.py).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.auth import Principal, PrincipalDep
from api.errors import ProblemError
from claimdesk.core.domain import Action
from claimdesk.core.settings import Settings


class Scope(StrEnum):
    OPENING = "opening"  # POST /claims
    ACTION = "action"  # every action on a claim, messages included
    MESSAGE = "message"  # POST /claims/{reference}/messages


class TooManyRequests(ProblemError):
    def __init__(self, scope: Scope, limit: RateLimitItem, retry_after: int) -> None:
        super().__init__(
            429,
            "too-many-requests",
            "Too many requests",
            f"the {scope.value} limit ({limit}) is spent for now; retry in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )


@dataclass
class RateLimits:
    """The API process's counters, one limit per scope, from the settings."""

    items: dict[Scope, RateLimitItem]
    limiter: MovingWindowRateLimiter

    @classmethod
    def of(cls, settings: Settings) -> RateLimits:
        rates = {
            Scope.OPENING: settings.rate_openings,
            Scope.ACTION: settings.rate_actions,
            Scope.MESSAGE: settings.rate_messages,
        }
        items = {scope: parse(rate) for scope, rate in rates.items()}
        return cls(items=items, limiter=MovingWindowRateLimiter(MemoryStorage()))

    def check(self, scopes: tuple[Scope, ...], *callers: str) -> None:
        """Counts one request for each caller (`key:…`, `address:…`) in each scope, or
        raises `TooManyRequests` for the first limit spent, counting nothing.

        No await in between: the event loop runs no other request's check meanwhile.
        """
        counters = [(scope, caller) for scope in scopes for caller in callers]
        for scope, caller in counters:
            item = self.items[scope]
            if not self.limiter.test(item, scope.value, caller):
                reset = self.limiter.get_window_stats(item, scope.value, caller).reset_time
                raise TooManyRequests(scope, item, max(1, math.ceil(reset - time.time())))
        for scope, caller in counters:
            self.limiter.hit(self.items[scope], scope.value, caller)


def client_address(request: Request) -> str:
    """The connection's peer, or the client a trusted proxy names (CLAIMDESK_TRUSTED_PROXIES,
    applied by uvicorn's proxy-headers middleware in api/app.py)."""
    return request.client.host if request.client else "unknown"


def count_request(request: Request, principal: Principal, scopes: tuple[Scope, ...]) -> None:
    """Counts the caller's request in `scopes`, per key (a web account's id for the pages)
    and per client address, or raises `TooManyRequests`: the one check of the API's routes
    (the dependencies below) and of the web claim center's forms alike."""
    limits: RateLimits = request.app.state.rate_limits
    limits.check(scopes, f"key:{principal.key_id}", f"address:{client_address(request)}")


# What each kind of request counts against, for the API's routes and the pages.
OPENING = (Scope.OPENING,)
ACTION = (Scope.ACTION,)
MESSAGE = (Scope.MESSAGE, Scope.ACTION)


def scopes_of(action: Action) -> tuple[Scope, ...]:
    """What a form's action on a claim counts against: a message's, or any action's."""
    return MESSAGE if action is Action.MESSAGE else ACTION


def _limited(scopes: tuple[Scope, ...]) -> object:
    def check(request: Request, principal: PrincipalDep) -> None:
        count_request(request, principal, scopes)

    return Depends(check)


# What a route adds to its parameters to be limited (after its key is checked).
OpeningLimit = Annotated[None, _limited(OPENING)]
ActionLimit = Annotated[None, _limited(ACTION)]
MessageLimit = Annotated[None, _limited(MESSAGE)]
