"""The seal: what it binds, which keys it takes, and key lists refused with a clear reason."""

from __future__ import annotations

import pytest

from claimdesk.core.seal import Keyring, Sealed
from claimdesk.core.settings import Settings

A = "a:" + "1" * 32
B = "b:" + "2" * 32
MESSAGE = Sealed("default", "CLM-AAAA-BBBB", "decide", "update-1", [b'{"note":"x"}'])


def test_the_first_key_seals_and_every_listed_key_is_accepted() -> None:
    rotating = Keyring.parse(f"{B},{A}")
    assert rotating.seal(MESSAGE).startswith("b:")
    assert Keyring.parse(A).verify(Keyring.parse(A).seal(MESSAGE), MESSAGE)
    assert rotating.verify(Keyring.parse(A).seal(MESSAGE), MESSAGE)
    assert not Keyring.parse(B).verify(Keyring.parse(A).seal(MESSAGE), MESSAGE)


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
    assert not keyring.verify(keyring.seal(MESSAGE), changed)


@pytest.mark.parametrize("seal", [None, "", "a", "a:", "zz:00", "a:" + "0" * 64])
def test_a_missing_or_forged_seal_is_refused(seal: str | None) -> None:
    assert not Keyring.parse(A).verify(seal, MESSAGE)


@pytest.mark.parametrize(
    ("keys", "why"),
    [
        ("", "pairs"),
        ("no-secret", "pairs"),
        ("a:s3cr3t", "shorter than 32"),
        ("bad id:" + "1" * 32, "pairs"),
        (f"{A},{A}", "listed twice"),
    ],
)
def test_malformed_keys_are_refused_saying_why_but_not_the_secret(keys: str, why: str) -> None:
    with pytest.raises(ValueError, match=why) as refused:
        Settings.model_validate({"seal_keys": keys}).keyring()
    assert "1" * 32 not in str(refused.value) and "s3cr3t" not in str(refused.value)


def test_settings_without_keys_refuse_to_give_a_keyring() -> None:
    with pytest.raises(ValueError, match="CLAIMDESK_SEAL_KEYS is not set"):
        Settings(seal_keys=None).keyring()
