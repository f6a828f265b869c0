"""The activation table: the one place that defines every activation the product offers.

The engine (core.mlp), the explorer plots, the select boxes and the advice all read
``ACTIVATIONS``. Adding an activation is one entry here plus its two display names
(``common.activation.<name>`` in data/i18n/en and zh); tests walk the table.

Each entry holds two in-place kernels, the shape scikit-learn's back-propagation uses:
``forward(z)`` overwrites pre-activations with f(z), and ``backward(z, a, delta)``
multiplies ``delta`` by f'(z), given the pre-activation ``z`` and the output
``a = f(z)``. Every entry can compute its slope from ``z`` (GELU, SiLU and Mish cannot
write f' in terms of f alone); an entry may use ``a`` where that is cheaper. For the
five kernels scikit-learn ships, the entries reuse them (they read ``a`` only), so our
networks train bit-for-bit like stock ``MLPClassifier``. The facts a student is taught
(range, zero-centred, where it saturates, guidance ids) sit beside the maths. Display
names live in the translation files only.

The new kernels are vectorised numpy/scipy ufuncs writing into their arguments or one
temporary, and safe for any finite z: they use e^-|z|, tanh and the normal CDF ``ndtr``
rather than exp(z) itself, so z = +-800 neither overflows nor gives NaN. (Results that
underflow to 0, such as softplus(-800), are the right answer.)
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

Array = np.ndarray
Forward = Callable[[Array], None]
Backward = Callable[[Array, Array, Array], None]

DEFAULT_LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0
# Klambauer et al. 2017, to full double precision (GUIDANCE M3).
SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@cache
def _sk():
    """scikit-learn's kernels module, imported on first use: the web server imports this
    table for its names and facts but never runs a kernel (workers train and draw), so
    it need not load scikit-learn. Private module, read only (never mutated); the
    scikit-learn minor is pinned."""
    return importlib.import_module("sklearn.neural_network._base")


def _ndtr(z: Array) -> Array:
    """The standard normal CDF (SciPy's, through erfc), imported on first use as above."""
    from scipy.special import ndtr

    return ndtr(z)


def _sklearn(name: str, elementwise: bool = True) -> tuple[Forward, Backward | None]:
    """scikit-learn's own kernels; its derivatives read the output a only. Softmax
    (``elementwise=False``) has no element-wise derivative."""

    def forward(z: Array) -> None:
        _sk().ACTIVATIONS[name](z)

    def backward(z: Array, a: Array, delta: Array) -> None:
        _sk().DERIVATIVES[name](a, delta)

    return forward, backward if elementwise else None


def _leaky_kernels(slope: float) -> tuple[Forward, Backward]:
    def forward(z: Array) -> None:
        np.multiply(z, slope, out=z, where=z < 0)

    def backward(z: Array, a: Array, delta: Array) -> None:
        np.multiply(delta, slope, out=delta, where=z < 0)

    return forward, backward


def _elu_kernels(scale: float, alpha: float) -> tuple[Forward, Backward]:
    """scale * (z if z > 0 else alpha * (e^z - 1)): ELU (scale 1) and SELU."""

    def forward(z: Array) -> None:
        # min(z, 0) first, so e^z is never taken of a large positive z.
        neg = np.minimum(z, 0.0)
        np.expm1(neg, out=neg)
        neg *= alpha
        np.maximum(z, 0.0, out=z)
        z += neg
        if scale != 1.0:
            z *= scale

    def backward(z: Array, a: Array, delta: Array) -> None:
        # z <= 0: f'(z) = scale * alpha * e^z = a + scale * alpha (M2).
        slope = a + scale * alpha
        np.copyto(slope, scale, where=z > 0)
        delta *= slope

    return forward, backward


def _gelu_forward(z: Array) -> None:
    z *= _ndtr(z)  # z * Phi(z), exact (Phi through erfc), not the tanh approximation


def _gelu_backward(z: Array, a: Array, delta: Array) -> None:
    # f'(z) = Phi(z) + z * phi(z)
    slope = np.square(z)
    slope *= -0.5
    np.exp(slope, out=slope)
    slope *= z
    slope *= _INV_SQRT_2PI
    slope += _ndtr(z)
    delta *= slope


def _sigmoid(z: Array) -> Array:
    """sigmoid(z) = (1 + tanh(z / 2)) / 2: bounded for any z, and numpy's tanh is about
    twice as fast as scipy's expit (bench/activations.py)."""
    s = np.multiply(z, 0.5)
    np.tanh(s, out=s)
    s += 1.0
    s *= 0.5
    return s


def _softplus(z: Array) -> Array:
    """log(1 + e^z) = max(z, 0) + log1p(e^-|z|), into a new array: e^-|z| <= 1 never
    overflows; numpy's logaddexp computes the same about six times slower."""
    t = np.abs(z)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    t += np.maximum(z, 0.0)
    return t


def _silu_forward(z: Array) -> None:
    z *= _sigmoid(z)


def _silu_backward(z: Array, a: Array, delta: Array) -> None:
    # f'(z) = s + a (1 - s), s = sigmoid(z)
    s = _sigmoid(z)
    slope = np.subtract(1.0, s)
    slope *= a
    slope += s
    delta *= slope


def _softplus_forward(z: Array) -> None:
    z[...] = _softplus(z)


def _softplus_backward(z: Array, a: Array, delta: Array) -> None:
    delta *= _sigmoid(z)  # M7: softplus' = sigmoid


def _mish_forward(z: Array) -> None:
    t = _softplus(z)
    np.tanh(t, out=t)
    z *= t


def _mish_backward(z: Array, a: Array, delta: Array) -> None:
    # f'(z) = t + z (1 - t^2) sigmoid(z), t = tanh(softplus(z))
    t = _softplus(z)
    np.tanh(t, out=t)
    slope = np.square(t)
    np.subtract(1.0, slope, out=slope)
    slope *= z
    slope *= _sigmoid(z)
    slope += t
    delta *= slope


@dataclass(frozen=True)
class Activation:
    """One activation function and what the product teaches about it."""

    name: str  # the engine's name (scikit-learn's spelling where it has one)
    forward: Forward  # in place: z -> f(z)
    backward: Backward | None  # in place: delta *= f'(z), given z and a = f(z)
    output_range: tuple[float, float]
    guidance: tuple[str, ...]
    # The facts below default to "no"; tests/test_activations.py measures each from the
    # function both ways, so an entry that leaves out a true fact fails there.
    zero_centred: bool = False  # an odd function: outputs symmetric around 0
    # The flat region the guidance names: |z| > saturates_beyond, or z < 0 for ReLU.
    saturates_beyond: float | None = None
    flat_below_zero: bool = False
    hidden: bool = True  # offered for hidden layers
    output: bool = True  # offered for the output layer
    formula: str = ""  # LaTeX, for the explorer
    colour: str = "#7f7f7f"  # the one colour every chart draws this activation in
    # f'(z) -> 0 as z -> -inf, while the positive side keeps a slope near 1 (the ELU
    # family, GELU, SiLU, Mish, softplus); the explorer measures where.
    saturates_negative: bool = False
    smooth: bool = True  # f' continuous at 0 (ReLU's kink is not; neither is SELU's)
    # (z, f(z)) of the minimum of a non-monotonic entry, as GUIDANCE states it.
    minimum: tuple[float, float] | None = None

    @property
    def elementwise(self) -> bool:
        """Softmax is not: it couples the units of a layer (a Jacobian, not a slope)."""
        return self.backward is not None

    def fn(self, z) -> Array:
        """f(z) on a copy of ``z``."""
        out = np.array(z, dtype=float, copy=True, ndmin=1)
        self.forward(out if out.ndim > 1 or self.elementwise else out[None, :])
        return out

    def derivative(self, z, a=None) -> Array:
        """f'(z), for plots and checks; ``a`` (= f(z)) saves recomputing it."""
        if self.backward is None:
            raise ValueError(f"{self.name} has no element-wise derivative")
        z = np.asarray(z, dtype=float)
        a = self.fn(z).reshape(z.shape) if a is None else np.asarray(a, dtype=float)
        d = np.ones_like(z)
        self.backward(z, a, d)
        return d


_ELU = _elu_kernels(1.0, ELU_ALPHA)
_SELU = _elu_kernels(SELU_LAMBDA, SELU_ALPHA)
_ELU_CASES = r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}"

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "identity",
            *_sklearn("identity"),
            output_range=(-np.inf, np.inf),
            zero_centred=True,
            guidance=("G1", "G26"),
            formula=r"f(x) = x",
            colour="#7f7f7f",
        ),
        Activation(
            "logistic",
            *_sklearn("logistic"),
            output_range=(0.0, 1.0),
            saturates_beyond=6.0,
            guidance=("G4", "G5", "G6", "G7", "G8", "G9", "G23", "G24"),
            formula=r"f(x) = \frac{1}{1 + e^{-x}}",
            colour="#d62728",
        ),
        Activation(
            "tanh",
            *_sklearn("tanh"),
            output_range=(-1.0, 1.0),
            zero_centred=True,
            saturates_beyond=3.0,
            guidance=("G10", "G11", "G12", "G13", "G23"),
            formula=r"f(x) = \frac{1 - e^{-2x}}{1 + e^{-2x}}",
            colour="#f58518",
        ),
        Activation(
            "relu",
            *_sklearn("relu"),
            output_range=(0.0, np.inf),
            flat_below_zero=True,
            guidance=("G14", "G15", "G16", "G17", "G18", "G20", "G22"),
            formula=r"f(x) = \max(0, x)",
            colour="#0877bd",
            smooth=False,
        ),
        Activation(
            "leaky_relu",
            *_leaky_kernels(DEFAULT_LEAKY_SLOPE),
            output_range=(-np.inf, np.inf),
            guidance=("G21",),
            formula=r"f(x) = \max(\alpha x, x)",
            colour="#9467bd",
            smooth=False,
        ),
        Activation(
            "elu",
            *_ELU,
            output_range=(-ELU_ALPHA, np.inf),
            guidance=("M2", "M12"),
            output=False,  # hidden layers only
            formula=r"f(x) = " + _ELU_CASES + r",\quad \alpha = 1",
            colour="#54a24b",
            saturates_negative=True,
        ),
        Activation(
            "selu",
            *_SELU,
            output_range=(-SELU_LAMBDA * SELU_ALPHA, np.inf),
            guidance=("M3", "M1"),
            output=False,  # hidden layers only
            formula=r"f(x) = \lambda "
            + _ELU_CASES
            + r",\quad \lambda \approx 1.0507,\ \alpha \approx 1.6733",
            colour="#17becf",
            saturates_negative=True,
            smooth=False,  # slope lambda on the right, lambda * alpha on the left
        ),
        Activation(
            "gelu",
            _gelu_forward,
            _gelu_backward,
            output_range=(-0.170, np.inf),
            guidance=("M4", "M8"),
            output=False,  # hidden layers only
            formula=r"f(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \operatorname{erf}"
            r"\frac{x}{\sqrt{2}}\right)",
            colour="#e377c2",
            saturates_negative=True,
            minimum=(-0.752, -0.170),
        ),
        Activation(
            "silu",
            _silu_forward,
            _silu_backward,
            output_range=(-0.278, np.inf),
            guidance=("M5", "M8"),
            output=False,  # hidden layers only
            formula=r"f(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
            colour="#bcbd22",
            saturates_negative=True,
            minimum=(-1.278, -0.278),
        ),
        Activation(
            "softplus",
            _softplus_forward,
            _softplus_backward,
            output_range=(0.0, np.inf),
            guidance=("M7",),
            # Also an output: strictly positive regression targets (M7).
            formula=r"f(x) = \ln(1 + e^{x})",
            colour="#72b7b2",
            saturates_negative=True,
        ),
        Activation(
            "mish",
            _mish_forward,
            _mish_backward,
            output_range=(-0.309, np.inf),
            guidance=("M6", "M8"),
            output=False,  # hidden layers only
            formula=r"f(x) = x \tanh\left(\ln(1 + e^{x})\right)",
            colour="#393b79",
            saturates_negative=True,
            minimum=(-1.192, -0.309),
        ),
        Activation(
            "softmax",
            *_sklearn("softmax", elementwise=False),
            output_range=(0.0, 1.0),
            guidance=("G19", "G25"),
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
