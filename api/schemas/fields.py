"""The fields of request bodies: amounts, e-mails, times, identifiers and free text, each
checked as the OpenAPI schema documents it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from claimdesk.core.currency import minor_units

_UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _unseen(keep: str = "") -> str:
    """The characters a text may not carry, but those of `keep`, as a regex class body.

    Controls (Cc: NUL to US, DEL, C1, so ESC and ANSI escapes), format characters (Cf:
    bidi embeddings, overrides and isolates, zero-width spaces and joiners, the BOM, soft
    hyphen), the line and paragraph separators (Zl, Zp) and lone surrogates (Cs), read from
    Python's Unicode tables. The Basic Multilingual Plane only: `\\uXXXX` ranges read the
    same in Python's `re` and in JSON Schema's ECMA regexes, and the astral format characters
    (tags, Egyptian and musical format controls) break no line and turn no text around.
    """
    ranges: list[str] = []
    start: int | None = None
    for code in range(0x10001):
        char = chr(code) if code <= 0xFFFF else ""
        unseen = bool(char) and char not in keep
        unseen = unseen and unicodedata.category(char) in _UNSEEN_CATEGORIES
        if unseen and start is None:
            start = code
        elif not unseen and start is not None:
            last = code - 1
            ranges.append(rf"\u{start:04x}" + (rf"-\u{last:04x}" if last > start else ""))
            start = None
    return "".join(ranges)


_UNSEEN = _unseen()
# Free text keeps its tabs and line breaks (CR too: a browser's form sends CRLF).
_UNSEEN_BUT_BREAKS = _unseen(keep="\t\n\r")


_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_AMOUNT_MAX_CHARS = 32  # 14 digits and a point, with room for zeros a client pads with


def _decimal_string(value: Any) -> Any:
    """Amounts travel as decimal strings ("49.90"): a JSON number would lose cents to floats."""
    if (
        not isinstance(value, str)
        or len(value) > _AMOUNT_MAX_CHARS
        or not _DECIMAL.fullmatch(value)
    ):
        # No exponents, signs, spaces or NaN: the amount reads as it is written.
        raise ValueError('an amount is a decimal string such as "49.90"')
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_decimal_string),
    Field(gt=0, max_digits=14, decimal_places=2),
    # What a client must send, said plainly (pydantic would document a number or any string).
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{_DECIMAL.pattern}$",
            "maxLength": _AMOUNT_MAX_CHARS,
            "description": (
                "a decimal string, more than 0, at most 2 decimals and 14 digits;"
                " a transaction's at most its currency's decimals (none in JPY)"
            ),
            "examples": ["49.90"],
        }
    ),
]
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(value: str) -> str:
    value = value.strip().lower()  # after the length check: the bound holds for what was sent
    if not _EMAIL.fullmatch(value) or re.search(f"[{_UNSEEN}]", value):
        raise ValueError("an e-mail address such as ana@example.com")
    if not value.isascii():
        # Sending to such an address needs SMTPUTF8 end to end, which claimdesk does not
        # ask of the mail servers yet: refuse it here rather than fail every e-mail later.
        raise ValueError("an e-mail address in ASCII characters (ana@example.com)")
    return value


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
# A transaction happened between the platform's first days and now (give or take a clock's
# skew); outside that it is a typo or a probe, and year 1 at +14:00 is not even a UTC instant.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_CLOCK_SKEW = timedelta(hours=1)


def _plausible_instant(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not _EARLIEST <= utc <= datetime.now(UTC) + _CLOCK_SKEW:
        raise ValueError("a time from 2000-01-01 up to now, with its offset")
    return value


# RFC 3339, which the schema's `format: date-time` names; pydantic alone also reads Unix times
# (1700000000, "-2.9e-100") and looser spellings ("2026-01-01 10:00Z") the schema never offers.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339.fullmatch(value)):
        return value
    raise ValueError("a time as RFC 3339 writes it, such as 2026-01-01T10:00:00Z")


Instant = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
PastInstant = Annotated[Instant, AfterValidator(_plausible_instant)]
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
]


@dataclass(frozen=True)
class Trimmed:
    """Text: its bounds hold for what the client sent, then its ends are trimmed.

    What is accepted is the schema's `pattern`, checked with Python's `re` as a client or
    a fuzzer reading the schema would, so the OpenAPI says exactly what is accepted: no
    control, format or separator character (`_UNSEEN`: CR, LF, U+2028, bidi overrides, ESC,
    zero-width characters...) anywhere, except tabs and line breaks in free text
    (`lines=True`), and at least `min_length` characters once the spaces around are trimmed,
    from the first character that is neither a space nor unseen to the last. The text kept
    is NFC-normalised, with its line breaks as LF.
    """

    min_length: int
    max_length: int
    lines: bool = False

    @property
    def unseen(self) -> str:
        return _UNSEEN_BUT_BREAKS if self.lines else _UNSEEN

    @property
    def pattern(self) -> str:
        allowed = f"[^{self.unseen}]"
        seen = f"[^\\s{_UNSEEN}]"
        if self.min_length == 1:
            return f"^{allowed}*{seen}{allowed}*$"
        return f"^{allowed}*{seen}{allowed}{{{self.min_length - 2},}}{seen}{allowed}*$"

    def _trim(self, value: str) -> str:
        unseen = re.search(f"[{self.unseen}]", value)
        if unseen:
            code = ord(unseen.group())
            where = "text" if self.lines else "a single line"
            raise ValueError(
                f"U+{code:04X} ({unicodedata.name(unseen.group(), 'a control character')}) "
                f"at position {unseen.start()}: control, invisible formatting and "
                f"line-separator characters are refused in {where}"
            )
        if not re.search(self.pattern, value):
            least = "a character" if self.min_length == 1 else f"{self.min_length} characters"
            raise ValueError(f"at least {least} once the spaces around are trimmed")
        text = unicodedata.normalize("NFC", value.strip())
        if len(text) > self.max_length:
            # NFC may lengthen text (U+0958 is two characters once composed): the bound holds
            # for what is stored, not only for what was sent.
            raise ValueError(f"at most {self.max_length} characters once normalised (NFC)")
        return text.replace("\r\n", "\n").replace("\r", "\n") if self.lines else text

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        limits = core_schema.str_schema(min_length=self.min_length, max_length=self.max_length)
        return core_schema.no_info_after_validator_function(self._trim, limits)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "pattern": self.pattern}


def _iso4217(code: str) -> str:
    if code not in minor_units():
        raise ValueError("an ISO 4217 currency code, such as EUR, USD or JPY")
    return code


Name = Annotated[str, Trimmed(1, 200)]
# Free text (descriptions, messages, notes, reasons, questions, comments) keeps its lines.
Text = Annotated[str, Trimmed(1, 5000, lines=True)]
ShortText = Annotated[str, Trimmed(1, 2000, lines=True)]
Phone = Annotated[str, Trimmed(3, 32)]
Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_iso4217),
    # The codes themselves, so a client (or a fuzzer) reads which ones are accepted.
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(minor_units()),
            "description": "an ISO 4217 currency code with minor units, such as EUR or JPY",
        }
    ),
]
