"""Text alternatives for charts, in the interface language (see core.charts.text)."""

from __future__ import annotations

from core.charts.text import describe
from ui.i18n import t

_WORDS = ("picture", "lines", "line", "lines_more", "points", "cells")


def chart_alt(spec: dict, lead: str = "") -> str:
    """A chart's text alternative (core.charts.text) in the interface language, after
    ``lead`` (what the page knows that the spec does not, such as the epoch)."""
    words = {k: t(f"charts.{k}") for k in _WORDS}
    return " ".join(part for part in (lead, describe(spec, words)) if part)
