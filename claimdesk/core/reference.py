"""A claim's reference, `CLM-XXXX-XXXX`: made by the API, named in logs, typed by customers."""

from __future__ import annotations

import re

# Crockford's base 32 without I, L, O, U: nothing to misread when a customer dictates it.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_CHARS = 8
_REFERENCE = re.compile(f"CLM-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}")


def reference_from(chars: str) -> str:
    """The reference spelled from REFERENCE_CHARS characters of REFERENCE_ALPHABET."""
    return f"CLM-{chars[:4]}-{chars[4:]}"


def is_reference(text: str) -> bool:
    """Whether `text` has a reference's shape (not whether such a claim exists)."""
    return _REFERENCE.fullmatch(text) is not None
