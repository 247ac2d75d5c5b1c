"""The seal: what it binds, which keys it takes, and key lists refused with a clear reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from claimdesk.core.seal import CLOCK_SKEW, FRESH_FOR, Keyring, Sealed
from claimdesk.core.settings import Settings

A = "a:" + "1" * 32
B = "b:" + "2" * 32
MESSAGE = Sealed("default", "CLM-AAAA-BBBB", "decide", "update-1", [b'{"note":"x"}'])
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_the_first_key_seals_and_every_listed_key_is_accepted() -> None:
    rotating = Keyring.parse(f"{B},{A}")
    assert rotating.seal(MESSAGE, NOW).startswith("b:")
    by_a = Keyring.parse(A).seal(MESSAGE, NOW)
    assert Keyring.parse(A).verify(by_a, MESSAGE, NOW)
    assert rotating.verify(by_a, MESSAGE, NOW)
    assert not Keyring.parse(B).verify(by_a, MESSAGE, NOW)


@pytest.mark.parametrize(
    ("sealed", "accepted"),
    [
        (NOW, True),
        (NOW - FRESH_FOR, True),
        (NOW - FRESH_FOR - timedelta(seconds=1), False),
        (NOW - timedelta(days=30), False),
        (NOW + CLOCK_SKEW, True),
        (NOW + CLOCK_SKEW + timedelta(seconds=1), False),
    ],
    ids=["now", "oldest", "stale", "month-old", "clock-ahead", "too-far-ahead"],
)
def test_a_seal_is_accepted_for_a_short_while_after_it_was_made(
    sealed: datetime, accepted: bool
) -> None:
    keyring = Keyring.parse(A)
    assert keyring.verify(keyring.seal(MESSAGE, sealed), MESSAGE, NOW) is accepted


def test_a_seal_time_changed_breaks_the_seal() -> None:
    """The time is under the HMAC: a stale seal cannot be made fresh."""
    keyring = Keyring.parse(A)
    key_id, sealed_at, mac = keyring.seal(MESSAGE, NOW - timedelta(hours=1)).split(":")
    assert int(sealed_at) == int((NOW - timedelta(hours=1)).timestamp())
    assert not keyring.verify(f"{key_id}:{int(NOW.timestamp())}:{mac}", MESSAGE, NOW)


@pytest.mark.parametrize(
    "changed",
    [
        Sealed("other", "CLM-AAAA-BBBB", "decide", "update-1", [b'{"note":"x"}']),
        Sealed("default", "CLM-CCCC-DDDD", "decide", "update-1", [b'{"note":"x"}']),
        Sealed("default", "CLM-AAAA-BBBB", "close", "update-1", [b'{"note":"x"}']),
        Sealed("default", "CLM-AAAA-BBBB", "decide", "update-2", [b'{"note":"x"}']),
        Sealed("default", "CLM-AAAA-BBBB", "decide", "update-1", [b'{"note":"y"}']),
        Sealed("default", "CLM-AAAA-BBBB", "decide", "update-1", [b'{"note":"x"}', b""]),
    ],
    ids=["namespace", "claim", "action", "update id", "payload", "extra payload"],
)
def test_a_seal_holds_for_its_message_only(changed: Sealed) -> None:
    keyring = Keyring.parse(A)
    assert not keyring.verify(keyring.seal(MESSAGE, NOW), changed, NOW)


STAMP = str(int(NOW.timestamp()))


@pytest.mark.parametrize(
    "seal",
    [
        None,
        "",
        "a",
        "a:",
        "zz:00",
        "a:" + "0" * 64,
        f"a:{STAMP}:" + "0" * 64,
        "a:\u00b2:" + "0" * 64,
        "a:-1:" + "0" * 64,
        "a:" + "9" * 40 + ":" + "0" * 64,
    ],
)
def test_a_missing_or_forged_seal_is_refused(seal: str | None) -> None:
    assert not Keyring.parse(A).verify(seal, MESSAGE, NOW)


@pytest.mark.parametrize(
    ("keys", "why"),
    [
        ("", "pairs"),
        ("no-secret", "pairs"),
        ("a:s3cr3t", "shorter than 32"),
        ("bad id:" + "1" * 32, "pairs"),
        (f"{A},{A}", "listed twice"),
        # A comma in a secret cuts it in two: refused, saying a secret takes none.
        ("a:" + "1" * 20 + "," + "1" * 20, "takes no comma"),
        ("a:" + "1" * 32 + ",", "without a comma"),
        ("a:" + "1" * 32 + ",x" + "1" * 32, "without a comma"),
    ],
)
def test_malformed_keys_are_refused_saying_why_but_not_the_secret(keys: str, why: str) -> None:
    with pytest.raises(ValueError, match=why) as refused:
        Settings.model_validate({"seal_keys": keys}).keyring()
    assert "1" * 32 not in str(refused.value) and "s3cr3t" not in str(refused.value)


def test_settings_without_keys_refuse_to_give_a_keyring() -> None:
    with pytest.raises(ValueError, match="CLAIMDESK_SEAL_KEYS is not set"):
        Settings(seal_keys=None).keyring()
