"""Class colours a colour-blind student can still tell apart."""

import itertools

import numpy as np
import pytest

from core.charts.palette import CLASS_COLOURS

# Machado, Oliveira and Fernandes (2009), severity 1.0, applied to linear RGB.
SIMULATIONS = {
    "normal vision": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
MIN_DISTANCE = 15  # CIE76 Lab distance; about 2.3 is a just-noticeable difference


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(linear_rgb, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_every_pair_of_class_colours_stays_apart(vision):
    seen = {c: _lab(SIMULATIONS[vision] @ _linear(c)) for c in CLASS_COLOURS}
    closest = min(
        (np.linalg.norm(seen[a] - seen[b]), a, b) for a, b in itertools.combinations(seen, 2)
    )
    assert closest[0] >= MIN_DISTANCE, closest


def test_the_simulation_catches_pairs_that_merge():
    # The old palette's blue and purple, apart for normal vision, are one colour for a
    # protanope; its green and red come close for a deuteranope. Guards the check above
    # against a simulation that changes nothing.
    def distance(vision, a, b):
        m = SIMULATIONS[vision]
        return np.linalg.norm(_lab(m @ _linear(a)) - _lab(m @ _linear(b)))

    assert distance("normal vision", "#0877bd", "#9467bd") > 30
    assert distance("protanopia", "#0877bd", "#9467bd") < 3
    assert distance("deuteranopia", "#2ca02c", "#d62728") < MIN_DISTANCE
