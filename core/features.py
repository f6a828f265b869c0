"""Input features beyond x1 and x2, as TensorFlow Playground offers them: x1², x2²,
x1·x2, sin(x1), sin(x2), computed from the two plotted features.

The network itself takes them: ``FeatureMLPClassifier`` / ``FeatureMLPRegressor``
(``core.feature_mlp``, apart so that this module needs no scikit-learn) are the engine's
estimators with one more parameter, ``inputs``, and expand the raw (x1, x2)
they are given into those columns before the first layer. So everything that feeds a
model the data or a grid over the plane (the surface, the diagnostics, the neuron view,
``predict``) keeps passing x1, x2, and the first weight layer has a row per chosen input.
The default inputs (x1, x2) use the engine's classes unchanged.

Why offer them: with x1² and x2² as inputs, a network with identity activations (a
linear model, G1) separates the circle, which shows what activations are for.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray

# name -> (function of x1 and x2, whether it needs x2)
FEATURES: dict[str, tuple[Callable[[Array, Array], Array], bool]] = {
    "x1": (lambda a, b: a, False),
    "x2": (lambda a, b: b, True),
    "x1^2": (lambda a, b: a * a, False),
    "x2^2": (lambda a, b: b * b, True),
    "x1*x2": (lambda a, b: a * b, True),
    "sin(x1)": (lambda a, b: np.sin(a), False),
    "sin(x2)": (lambda a, b: np.sin(b), True),
}
DEFAULT_INPUTS = ("x1", "x2")


def usable(names, n_features: int) -> tuple[str, ...]:
    """The inputs of ``names`` that data with ``n_features`` features can give: on
    one-feature data (a regression curve) those of x2 are left out; with more than two
    features (an uploaded table) extra inputs do not apply and the features are used
    as they are (an empty result)."""
    if n_features > 2:
        return ()
    return tuple(n for n in names if n in FEATURES and (n_features == 2 or not FEATURES[n][1]))


def expand(X, names) -> Array:
    """(n, 1 or 2) raw features -> (n, len(usable names)) chosen inputs."""
    X = np.asarray(X, dtype=float)
    chosen = usable(names, X.shape[1])
    if not chosen:
        raise ValueError(f"none of the inputs {tuple(names)} applies to {X.shape[1]} feature(s)")
    a = X[:, 0]
    b = X[:, 1] if X.shape[1] > 1 else np.zeros_like(a)
    return np.column_stack([FEATURES[n][0](a, b) for n in chosen])
