"""The activation table: the one place that defines every activation the product offers.

The engine (core.mlp), the explorer plots, the select boxes and the advice all read
``ACTIVATIONS``. Adding an activation is one entry here plus its tests.

Each entry holds two in-place kernels, the shape scikit-learn's back-propagation uses:
``forward(z)`` overwrites pre-activations with f(z), and ``backward(a, delta)``
multiplies ``delta`` by f'(z) written in terms of the output ``a = f(z)``. For the four
activations scikit-learn ships, the entries reuse its kernels, so our networks train
bit-for-bit like stock ``MLPClassifier``. The facts a student is taught (range,
zero-centred, where it saturates, guidance ids) sit beside the maths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

# Private module, read only (never mutated); the scikit-learn minor is pinned.
from sklearn.neural_network import _base as sk

Array = np.ndarray

DEFAULT_LEAKY_SLOPE = 0.01


def _leaky_kernels(slope: float) -> tuple[Callable, Callable]:
    def forward(z: Array) -> None:
        np.multiply(z, slope, out=z, where=z < 0)

    def backward(a: Array, delta: Array) -> None:
        # The slope is positive, so the output keeps the sign of the input.
        delta[a < 0] *= slope

    return forward, backward


@dataclass(frozen=True)
class Activation:
    """One activation function and what the product teaches about it."""

    name: str  # the engine's name (scikit-learn's spelling where it has one)
    label: str  # display name
    forward: Callable[[Array], None]  # in place: z -> f(z)
    backward: Callable[[Array, Array], None] | None  # in place: delta *= f'(z), given a
    output_range: tuple[float, float]
    zero_centred: bool
    # The flat region the guidance names: |z| > saturates_beyond, or z < 0 for ReLU.
    saturates_beyond: float | None
    flat_below_zero: bool
    guidance: tuple[str, ...]
    hidden: bool = True  # offered for hidden layers
    output: bool = True  # offered for the output layer
    formula: str = ""  # LaTeX, for the explorer
    colour: str = "#7f7f7f"  # the one colour every chart draws this activation in

    @property
    def elementwise(self) -> bool:
        """Softmax is not: it couples the units of a layer (a Jacobian, not a slope)."""
        return self.backward is not None

    def fn(self, z) -> Array:
        """f(z) on a copy of ``z``."""
        out = np.array(z, dtype=float, copy=True, ndmin=1)
        self.forward(out if out.ndim > 1 or self.elementwise else out[None, :])
        return out

    def grad_from_output(self, a) -> Array:
        """f'(z) written in terms of a = f(z)."""
        if self.backward is None:
            raise ValueError(f"{self.name} has no element-wise derivative")
        a = np.asarray(a, dtype=float)
        d = np.ones_like(a)
        self.backward(a, d)
        return d

    def derivative(self, z) -> Array:
        """f'(z) as a function of the input, for plots and checks."""
        return self.grad_from_output(self.fn(z))


_leaky_forward, _leaky_backward = _leaky_kernels(DEFAULT_LEAKY_SLOPE)

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "identity",
            "Identity (linear)",
            sk.ACTIVATIONS["identity"],
            sk.DERIVATIVES["identity"],
            (-np.inf, np.inf),
            True,
            None,
            False,
            ("G1", "G26"),
            formula=r"f(x) = x",
            colour="#7f7f7f",
        ),
        Activation(
            "logistic",
            "Sigmoid (logistic)",
            sk.ACTIVATIONS["logistic"],
            sk.DERIVATIVES["logistic"],
            (0.0, 1.0),
            False,
            6.0,
            False,
            ("G4", "G5", "G6", "G7", "G8", "G9", "G23", "G24"),
            formula=r"f(x) = \frac{1}{1 + e^{-x}}",
            colour="#d62728",
        ),
        Activation(
            "tanh",
            "Tanh",
            sk.ACTIVATIONS["tanh"],
            sk.DERIVATIVES["tanh"],
            (-1.0, 1.0),
            True,
            3.0,
            False,
            ("G10", "G11", "G12", "G13", "G23"),
            formula=r"f(x) = \frac{1 - e^{-2x}}{1 + e^{-2x}}",
            colour="#f58518",
        ),
        Activation(
            "relu",
            "ReLU",
            sk.ACTIVATIONS["relu"],
            sk.DERIVATIVES["relu"],
            (0.0, np.inf),
            False,
            None,
            True,
            ("G14", "G15", "G16", "G17", "G18", "G20", "G22"),
            formula=r"f(x) = \max(0, x)",
            colour="#0877bd",
        ),
        Activation(
            "leaky_relu",
            "Leaky ReLU",
            _leaky_forward,
            _leaky_backward,
            (-np.inf, np.inf),
            False,
            None,
            False,
            ("G21",),
            formula=r"f(x) = \max(\alpha x, x)",
            colour="#9467bd",
        ),
        Activation(
            "softmax",
            "Softmax",
            sk.ACTIVATIONS["softmax"],
            None,
            (0.0, 1.0),
            False,
            None,
            False,
            ("G19", "G25"),
            hidden=False,
            formula=r"f(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
            colour="#8c564b",
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
        forward, backward = _leaky_kernels(leaky_slope)
        act = replace(act, forward=forward, backward=backward)
    return act
