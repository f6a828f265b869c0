"""How a score or a fraction reads in the interface, in one place so every page, report
and lesson shows the same number the same way. A value that is not finite (a diverged
run, a measurement that did not happen) reads as a dash."""

import math

MISSING = "–"


def percent_text(fraction: float, decimals: int = 0) -> str:
    """0.1234 -> "12%" (or "12.3%" with ``decimals=1``)."""
    return f"{fraction:.{decimals}%}" if math.isfinite(fraction) else MISSING


def score_text(value: float, task: str) -> str:
    """A test or train score, or the spread of one: R² to three decimals for regression,
    accuracy as a percent to one decimal otherwise."""
    if not math.isfinite(value):
        return MISSING
    return f"{value:.3f}" if task == "regression" else percent_text(value, 1)
