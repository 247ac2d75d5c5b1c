"""The stylesheet's colour pairs meet WCAG 2's 4.5:1 for text (3:1 for field borders)."""

from __future__ import annotations

import re

import pytest

from api.web.rendering import STATIC

CSS = (STATIC / "claimdesk.css").read_text()
COLOURS = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS))
WHITE = "#ffffff"


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("foreground", "background", "minimum"),
    [
        ("text", "background", 4.5),
        ("muted", "background", 4.5),
        ("accent", "background", 4.5),
        ("accent-dark", "background", 4.5),
        ("error", "background", 4.5),
        ("notice", "background", 4.5),
        (WHITE, "accent", 4.5),  # button text
        (WHITE, "accent-dark", 4.5),  # hovered button
        (WHITE, "text", 4.5),  # the skip link
        ("line", "background", 3.0),  # field borders (non-text)
        ("text", "focus", 3.0),  # the focus ring's dark outline against its halo
    ],
)
def test_colour_pair_contrast(foreground: str, background: str, minimum: float) -> None:
    fg = COLOURS.get(foreground, foreground)
    bg = COLOURS.get(background, background)
    assert contrast(fg, bg) >= minimum, f"{foreground} on {background}: {contrast(fg, bg):.2f}"
