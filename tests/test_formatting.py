"""One way to show a score or a fraction (core.formatting)."""

import math

import pytest

from core.formatting import MISSING, percent_text, score_text


def test_accuracy_reads_as_a_percent_and_r2_as_a_decimal():
    assert score_text(0.8766, "binary") == "87.7%"
    assert score_text(0.8766, "multiclass") == "87.7%"
    assert score_text(0.8766, "regression") == "0.877"  # R², not a percent
    assert score_text(-1.5, "regression") == "-1.500"  # R² below 0 is a real result


def test_fractions_round_to_the_asked_decimals():
    assert percent_text(0.1234) == "12%"
    assert percent_text(0.1234, 1) == "12.3%"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_missing_value_reads_as_a_dash(value):
    assert score_text(value, "binary") == score_text(value, "regression") == MISSING
    assert percent_text(value) == MISSING
