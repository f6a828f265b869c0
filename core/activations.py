"""The activation table: the one place that defines every activation the product offers.

The engine (core.mlp), the explorer plots, the select boxes and the advice all read
``ACTIVATIONS``. Adding an activation is one entry here plus its tests.

Each entry carries the function, its derivative, and the facts a student is taught about
it (range, zero-centred, where it saturates, which guidance ids it relates to). The
derivative is expressed in terms of the activation's *output* ``a = f(z)``, as
scikit-learn's back-propagation stores only outputs; ``derivative(z)`` gives it in terms
of the input for plotting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from scipy.special import expit

Array = np.ndarray

DEFAULT_LEAKY_SLOPE = 0.01


def _identity(z: Array) -> Array:
    return z


def _identity_grad(a: Array) -> Array:
    return np.ones_like(a)


def _logistic(z: Array) -> Array:
    return expit(z)


def _logistic_grad(a: Array) -> Array:
    return a * (1.0 - a)


def _tanh(z: Array) -> Array:
    return np.tanh(z)


def _tanh_grad(a: Array) -> Array:
    return 1.0 - a * a


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_grad(a: Array) -> Array:
    # At exactly 0 the subgradient 0 is used, as scikit-learn does.
    return (a > 0).astype(a.dtype)


def _make_leaky(slope: float) -> tuple[Callable[[Array], Array], Callable[[Array], Array]]:
    def leaky_relu(z: Array) -> Array:
        return np.where(z > 0, z, slope * z)

    def leaky_relu_grad(a: Array) -> Array:
        # The slope is positive, so the output keeps the sign of the input.
        return np.where(a > 0, 1.0, slope).astype(a.dtype, copy=False)

    return leaky_relu, leaky_relu_grad


def _softmax(z: Array) -> Array:
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Activation:
    """One activation function and what the product teaches about it."""

    name: str  # the engine's name, as scikit-learn spells it where it has one
    label: str  # display name
    fn: Callable[[Array], Array]
    grad_from_output: Callable[[Array], Array] | None  # f'(z) written in a = f(z)
    output_range: tuple[float, float]
    zero_centred: bool
    # The flat region the article names: |z| > saturates_beyond (two-sided), or
    # z < 0 for ReLU (``flat_below_zero``). None where the function never flattens.
    saturates_beyond: float | None
    flat_below_zero: bool
    guidance: tuple[str, ...]
    hidden: bool = True  # offered for hidden layers
    output: bool = True  # offered for the output layer
    elementwise: bool = True  # softmax is not: it couples the units of a layer
    formula: str = ""

    def derivative(self, z: Array) -> Array:
        """f'(z) as a function of the input, for plots and checks."""
        if self.grad_from_output is None:
            raise ValueError(f"{self.name} has no element-wise derivative")
        return self.grad_from_output(self.fn(np.asarray(z, dtype=float)))


_leaky, _leaky_grad = _make_leaky(DEFAULT_LEAKY_SLOPE)

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "identity", "Identity (linear)", _identity, _identity_grad,
            (-np.inf, np.inf), True, None, False, ("G1", "G26"),
            formula=r"f(x) = x",
        ),
        Activation(
            "logistic", "Sigmoid (logistic)", _logistic, _logistic_grad,
            (0.0, 1.0), False, 6.0, False,
            ("G4", "G5", "G6", "G7", "G8", "G9", "G23", "G24"),
            formula=r"f(x) = \frac{1}{1 + e^{-x}}",
        ),
        Activation(
            "tanh", "Tanh", _tanh, _tanh_grad,
            (-1.0, 1.0), True, 3.0, False, ("G10", "G11", "G12", "G13", "G23"),
            formula=r"f(x) = \frac{1 - e^{-2x}}{1 + e^{-2x}}",
        ),
        Activation(
            "relu", "ReLU", _relu, _relu_grad,
            (0.0, np.inf), False, None, True,
            ("G14", "G15", "G16", "G17", "G18", "G20", "G22"),
            formula=r"f(x) = \max(0, x)",
        ),
        Activation(
            "leaky_relu", "Leaky ReLU", _leaky, _leaky_grad,
            (-np.inf, np.inf), False, None, False, ("G21",),
            formula=r"f(x) = \max(\alpha x, x)",
        ),
        Activation(
            "softmax", "Softmax", _softmax, None,
            (0.0, 1.0), False, None, False, ("G19", "G25"),
            hidden=False, elementwise=False,
            formula=r"f(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
        ),
    )
}

HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(n for n, a in ACTIVATIONS.items() if a.hidden)
OUTPUT_ACTIVATIONS: tuple[str, ...] = tuple(n for n, a in ACTIVATIONS.items() if a.output)


def get_activation(name: str, leaky_slope: float = DEFAULT_LEAKY_SLOPE) -> Activation:
    """The table entry for ``name``; for leaky_relu, one with the given slope."""
    try:
        act = ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}"
        ) from None
    if name == "leaky_relu" and leaky_slope != DEFAULT_LEAKY_SLOPE:
        if not 0 < leaky_slope < 1:
            raise ValueError(f"leaky_slope must be in (0, 1), got {leaky_slope}")
        fn, grad = _make_leaky(leaky_slope)
        act = replace(act, fn=fn, grad_from_output=grad)
    return act
